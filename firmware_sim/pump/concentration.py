"""Plug flow through the dead volume: which drug concentration is at the catheter tip.

Volumes are cumulative pump-outlet volumes q_ul. Fluid leaving the reservoir at q reaches the tip
when the outlet has pushed q + dead_volume_ul. Before the first fill the tubing holds non-drug fluid,
so nothing reaches the patient before priming has pushed the dead volume through.
"""
from __future__ import annotations

import bisect
import math
from firmware_sim.units import UL_PER_ML
import itertools


class ConcentrationTrack:
    def __init__(self, dead_volume_ul: float) -> None:
        self.dead_volume_ul = dead_volume_ul
        self._q_ul: list[float] = []
        self._conc_mcg_per_ml: list[float] = []
        self._tip_ul: list[float] = []
        """Outlet volume at which each fill reaches the tip (q_ul + dead_volume_ul, one float per fill)."""
        self._plug = (math.inf, -math.inf, 0.0)
        """(lo, hi, conc): reservoir volumes [lo, hi) between two fills, all at conc (cache of the last lookup)."""

    def fill(self, q_ul: float, conc_mcg_per_ml: float) -> None:
        """From outlet volume q_ul on, the reservoir delivers drug at conc_mcg_per_ml."""
        self._plug = (math.inf, -math.inf, 0.0)
        if self._q_ul and q_ul < self._q_ul[-1]:
            raise ValueError(f"fill at q_ul={q_ul} precedes the last fill at {self._q_ul[-1]}")
        if self._q_ul and q_ul == self._q_ul[-1]:
            self._conc_mcg_per_ml[-1] = conc_mcg_per_ml
            return
        self._q_ul.append(q_ul)
        self._conc_mcg_per_ml.append(conc_mcg_per_ml)
        self._tip_ul.append(q_ul + self.dead_volume_ul)

    @property
    def last_fill_ul(self) -> float:
        """Outlet volume of the newest fill (-inf before the first)."""
        return self._q_ul[-1] if self._q_ul else -math.inf

    def tip_conc_after(self, q_ul: float) -> float:
        """Concentration of the next parcel to leave the tip once the outlet has pushed q_ul."""
        i = bisect.bisect_right(self._q_ul, q_ul - self.dead_volume_ul) - 1
        return self._conc_mcg_per_ml[i] if i >= 0 else 0.0

    def reservoir_conc_after(self, q_ul: float) -> float:
        i = bisect.bisect_right(self._q_ul, q_ul) - 1
        return self._conc_mcg_per_ml[i] if i >= 0 else 0.0

    def conc_ahead(self, q_ul: float) -> tuple[float, ...]:
        """Concentrations that will leave the tip once the outlet has pushed q_ul, in delivery order: the parcel
        at the tip first (0.0 before the first fill reaches it), then each later fill's, the reservoir's last."""
        i = bisect.bisect_right(self._q_ul, q_ul - self.dead_volume_ul) - 1
        if i < 0:
            return (0.0, *self._conc_mcg_per_ml)
        return tuple(self._conc_mcg_per_ml[i:])

    def next_conc_step(self, after_ul: float) -> tuple[float, float] | None:
        """The first change of the tip concentration at an outlet volume above after_ul, as (outlet volume,
        new concentration); fills at the concentration before them are no change. None: no change ahead."""
        tip_ul, conc = self._tip_ul, self._conc_mcg_per_ml
        j = bisect.bisect_right(tip_ul, after_ul)
        for k in range(j, len(tip_ul)):
            if conc[k] != (conc[k - 1] if k > 0 else 0.0):
                return tip_ul[k], conc[k]
        return None

    def tip_plug(self, q_ul: float) -> tuple[float, float, float]:
        """(q_lo_ul, q_hi_ul, conc_mcg_per_ml): the outlet volumes [q_lo_ul, q_hi_ul) around q_ul over which the
        tip concentration is conc_mcg_per_ml (one fill's plug reaching the tip; -inf/inf where none bounds it)."""
        q = self._q_ul
        i = bisect.bisect_right(q, q_ul - self.dead_volume_ul) - 1
        lo = q[i] + self.dead_volume_ul if i >= 0 else -math.inf
        hi = q[i + 1] + self.dead_volume_ul if i + 1 < len(q) else math.inf
        return lo, hi, self._conc_mcg_per_ml[i] if i >= 0 else 0.0

    def tip_segments(self, q0_ul: float, q1_ul: float) -> list[tuple[float, float, float]]:
        """(q_start_ul, q_end_ul, conc_mcg_per_ml) pieces of constant tip concentration within [q0_ul, q1_ul]."""
        if q1_ul <= q0_ul:
            return []
        r0, r1 = q0_ul - self.dead_volume_ul, q1_ul - self.dead_volume_ul
        edges = [r0] + [q for q in self._q_ul if r0 < q < r1] + [r1]
        pieces = []
        for a, b in itertools.pairwise(edges):
            i = bisect.bisect_right(self._q_ul, a) - 1
            conc = self._conc_mcg_per_ml[i] if i >= 0 else 0.0
            pieces.append((a + self.dead_volume_ul, b + self.dead_volume_ul, conc))
        pieces[0] = (q0_ul,) + pieces[0][1:]
        pieces[-1] = pieces[-1][:1] + (q1_ul, pieces[-1][2])
        return pieces

    def tip_dose_mcg(self, q0_ul: float, q1_ul: float) -> float:
        """Drug reaching the tip while the outlet pushes from q0_ul to q1_ul."""
        if q1_ul > q0_ul:
            # Fast path (every supervision tick): the whole interval lies in one fill's plug. Same arithmetic
            # as the general case with a single segment: (q1 - q0) * conc / 1000.
            r0, r1 = q0_ul - self.dead_volume_ul, q1_ul - self.dead_volume_ul
            lo, hi, conc = self._plug
            if lo <= r0 < hi and r1 <= hi:
                return (q1_ul - q0_ul) * conc / UL_PER_ML
            i = bisect.bisect_right(self._q_ul, r0) - 1
            q = self._q_ul
            self._plug = (q[i] if i >= 0 else -math.inf, q[i + 1] if i + 1 < len(q) else math.inf,
                          self._conc_mcg_per_ml[i] if i >= 0 else 0.0)
        return sum((b - a) * conc for a, b, conc in self.tip_segments(q0_ul, q1_ul)) / UL_PER_ML
