"""Mixing in pump tubing and catheter: a tanks-in-series dispersion model in place of plug flow.

The Medtronic reference guide warns that at priming rates drug and non-drug fluid mix in the catheter: drug
reaches the patient before the priming bolus ends, and a period of reduced concentration follows it
(clinical-and-device.md 2.1). Plug flow (ConcentrationTrack, the default) has neither. Here the dead volume V_ul
is n_tanks equal well-mixed tanks in series. In the volume domain (outlet volume q_ul; independent of the flow
rate) a step of the reservoir concentration by dc at outlet volume q_i reaches the tip as dc x F_n((q - q_i) / theta),
theta = V_ul / n_tanks, F_n the Erlang (gamma, shape n) distribution function. The tip concentration is the sum of
those steps. Mean residence volume is V_ul for every n (mass is conserved: what plug flow delivers at once arrives
spread out); the spread (standard deviation V_ul / sqrt(n)) shrinks as n grows and n -> infinity is plug flow.
For an axial-dispersion (closed vessel, large Peclet number Pe) line, n ~ Pe / 2.

tip_segments gives piecewise-constant pieces whose concentration is the exact mean over each piece (closed-form
integral of F_n), so the dose per piece, and over any interval, is exact.
"""
from __future__ import annotations

from scipy.special import gammainc, gammaincinv

from firmware_sim.units import UL_PER_ML
import itertools

TAIL_FRACTION = 1e-12
"""A step counts as complete where F_n >= 1 - TAIL_FRACTION (dimensionless)."""
N_PIECES_PER_TANK = 2
"""Pieces of constant concentration per tank volume during a transition (the dose stays exact per piece)."""


def erlang_cdf(n_tanks: int, x: float) -> float:
    """F_n(x): the fraction of a concentration step that has reached the tip after x tank volumes."""
    return float(gammainc(n_tanks, x)) if x > 0 else 0.0


def erlang_cdf_integral(n_tanks: int, x: float) -> float:
    """Integral of F_n from 0 to x (in tank volumes): x P(n, x) - n P(n + 1, x)."""
    if x <= 0:
        return 0.0
    return x * float(gammainc(n_tanks, x)) - n_tanks * float(gammainc(n_tanks + 1, x))


class MixingTrack:
    """Same use as ConcentrationTrack in the profile builder: fill() per refill, tip_segments() per interval; the drug
    mass leaving the tip is what entered, spread as tanks in series [SR-PK-007]."""

    def __init__(self, dead_volume_ul: float, n_tanks: int) -> None:
        if isinstance(n_tanks, bool) or not isinstance(n_tanks, int) or n_tanks < 1:
            raise ValueError(f"catheter mixing n_tanks must be a whole number >= 1, got {n_tanks!r}")
        if not dead_volume_ul > 0:
            raise ValueError(f"dead_volume_ul must be > 0, got {dead_volume_ul!r}")
        self.dead_volume_ul = dead_volume_ul
        self.n_tanks = n_tanks
        self.theta_ul = dead_volume_ul / n_tanks
        self._span_ul = float(gammaincinv(n_tanks, 1.0 - TAIL_FRACTION)) * self.theta_ul
        self._steps: list[tuple[float, float]] = []
        """(outlet volume, concentration change) of each fill, in order."""
        self._conc_mcg_per_ml = 0.0

    def fill(self, q_ul: float, conc_mcg_per_ml: float) -> None:
        """From outlet volume q_ul on, the reservoir delivers drug at conc_mcg_per_ml."""
        if self._steps and q_ul < self._steps[-1][0]:
            raise ValueError(f"fill at q_ul={q_ul} precedes the last fill at {self._steps[-1][0]}")
        change = conc_mcg_per_ml - self._conc_mcg_per_ml
        self._conc_mcg_per_ml = conc_mcg_per_ml
        if change != 0:
            self._steps.append((q_ul, change))

    def tip_conc_at(self, q_ul: float) -> float:
        """Concentration leaving the tip when the outlet has pushed q_ul."""
        return sum(dc * erlang_cdf(self.n_tanks, (q_ul - qi) / self.theta_ul) for qi, dc in self._steps)

    def tip_dose_mcg(self, q0_ul: float, q1_ul: float) -> float:
        """Drug reaching the tip while the outlet pushes from q0_ul to q1_ul (exact)."""
        n, theta = self.n_tanks, self.theta_ul
        volume_mcg_ul = sum(dc * theta * (erlang_cdf_integral(n, (q1_ul - qi) / theta)
                                          - erlang_cdf_integral(n, (q0_ul - qi) / theta)) for qi, dc in self._steps)
        return volume_mcg_ul / UL_PER_ML

    def tip_segments(self, q0_ul: float, q1_ul: float) -> list[tuple[float, float, float]]:
        """(q_start_ul, q_end_ul, mean conc_mcg_per_ml) pieces covering [q0_ul, q1_ul]: split on a grid of
        theta / N_PIECES_PER_TANK inside transitions, one piece where every step is complete."""
        if q1_ul <= q0_ul:
            return []
        edges = {q0_ul, q1_ul}
        grid_ul = self.theta_ul / N_PIECES_PER_TANK
        for qi, _ in self._steps:
            lo, hi = max(q0_ul, qi), min(q1_ul, qi + self._span_ul)
            if lo < hi:
                k0, k1 = int((lo - qi) // grid_ul) + 1, int((hi - qi) // grid_ul)
                edges.update(qi + k * grid_ul for k in range(k0, k1 + 1) if q0_ul < qi + k * grid_ul < q1_ul)
        points = sorted(edges)
        return [(a, b, self.tip_dose_mcg(a, b) * UL_PER_ML / (b - a)) for a, b in itertools.pairwise(points)]
