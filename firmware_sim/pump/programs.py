"""Therapy programs in mcg at the catheter tip: continuous, flex daily schedule, boluses, periodic boluses.

A flex schedule's step times are times of day; its midnight_s says where on the clock its days begin.
"""
from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from firmware_sim.safety.window import RatePiece
from firmware_sim.units import H_PER_DAY, MIN_PER_DAY, MIN_PER_H, S_PER_DAY, S_PER_H, S_PER_MIN

_new_piece: Callable[[type[RatePiece], tuple[Any, ...]], RatePiece] = tuple.__new__
"""RatePiece(...) without its generated __new__ (a flex plan holds a piece per step for two days, built per gate
call)."""


@dataclass(frozen=True)
class ContinuousProgram:
    rate_mcg_per_day: float

    @property
    def daily_dose_mcg(self) -> float:
        return self.rate_mcg_per_day

    @property
    def peak_rate_mcg_per_h(self) -> float:
        return self.rate_mcg_per_day / H_PER_DAY

    def rate_mcg_per_h_at(self, t_s: float) -> float:
        return self.rate_mcg_per_day / H_PER_DAY

    def next_change_s(self, t_s: float) -> float:
        return math.inf

    def rate_and_next_change_s(self, t_s: float) -> tuple[float, float]:
        """(rate_mcg_per_h_at(t_s), next_change_s(t_s))."""
        return self.rate_mcg_per_day / H_PER_DAY, math.inf

    def planned(self, start_s: float, end_s: float) -> list[RatePiece]:
        return [RatePiece(start_s, end_s, self.rate_mcg_per_day / H_PER_DAY)] if end_s > start_s else []


@dataclass(frozen=True)
class FlexStep:
    start_h: float
    """Time of day (0 <= start_h < 24) from which rate_mcg_per_h applies until the next step."""
    rate_mcg_per_h: float


@dataclass(frozen=True)
class FlexSchedule:
    """A daily schedule of rate steps (SynchroMed flex dosing); the first step starts at 0 h, midnight."""

    steps: tuple[FlexStep, ...]
    midnight_s: float = 0.0
    """The clock time of the last midnight at or before the clock's zero (-86400 < midnight_s <= 0); days begin
    every 24 h from it. PumpFirmware.start_flex replaces it with its own clock's (FirmwareConfig.midnight_s)."""

    def __post_init__(self) -> None:
        midnight_s = self.midnight_s
        if isinstance(midnight_s, bool) or not (isinstance(midnight_s, (int, float)) and -S_PER_DAY < midnight_s <= 0):
            raise ValueError(f"FlexSchedule.midnight_s must be a number -86400 < s <= 0, got {midnight_s!r}")
        if len(self.steps) > MIN_PER_DAY:
            raise ValueError(f"FlexSchedule has at most {MIN_PER_DAY:g} steps (one a minute), got {len(self.steps)}")
        starts = [s.start_h for s in self.steps]
        if not all(isinstance(t, (int, float)) and math.isfinite(t) for t in starts):
            raise ValueError(f"FlexSchedule step start_h must be finite numbers, got {starts}")
        if not self.steps or starts[0] != 0.0:
            raise ValueError("FlexSchedule.steps must start at start_h=0")
        if any(b <= a for a, b in itertools.pairwise(starts)) or starts[-1] >= H_PER_DAY:
            raise ValueError(f"FlexSchedule step start_h must increase within [0, 24), got {starts}")
        for step in self.steps:
            if not (math.isfinite(step.rate_mcg_per_h) and step.rate_mcg_per_h >= 0):
                raise ValueError(f"FlexSchedule rate_mcg_per_h must be finite and >= 0, got {step.rate_mcg_per_h}")
        object.__setattr__(self, "_starts_s", [s.start_h * S_PER_H for s in self.steps])
        object.__setattr__(self, "_rates_mcg_per_h", [s.rate_mcg_per_h for s in self.steps])

    @property
    def daily_dose_mcg(self) -> float:
        ends = [s.start_h for s in self.steps[1:]] + [H_PER_DAY]
        return sum(s.rate_mcg_per_h * (end - s.start_h) for s, end in zip(self.steps, ends))

    @property
    def peak_rate_mcg_per_h(self) -> float:
        return max(s.rate_mcg_per_h for s in self.steps)

    def _index(self, t_s: float) -> tuple[int, float, float]:
        """The step in force at t_s, the start of its day and the start of the next day: the last step whose
        start, day_start_s + start, is at or before t_s, compared as that sum (t_s - day_start_s can round below a
        start that the sum reaches, and the schedule would then never move past it). Day starts are always
        midnight_s + k days, the same expression for the same day, so consecutive days meet exactly."""
        i, k = self._locate(t_s)
        return i, self.midnight_s + k * S_PER_DAY, self.midnight_s + (k + 1) * S_PER_DAY

    def _locate(self, t_s: float) -> tuple[int, int]:
        """(step, day number k) of _index."""
        starts = self._starts_s  # type: ignore[attr-defined]
        midnight_s = self.midnight_s
        k = math.floor((t_s - midnight_s) / S_PER_DAY)
        while midnight_s + (k + 1) * S_PER_DAY <= t_s:
            k += 1
        while midnight_s + k * S_PER_DAY > t_s:
            k -= 1
        day_start_s = midnight_s + k * S_PER_DAY
        i = bisect.bisect_right(starts, t_s - day_start_s) - 1
        while i + 1 < len(starts) and day_start_s + starts[i + 1] <= t_s:
            i += 1
        while i > 0 and day_start_s + starts[i] > t_s:
            i -= 1
        return i, k

    def rate_mcg_per_h_at(self, t_s: float) -> float:
        return self.steps[self._index(t_s)[0]].rate_mcg_per_h

    def next_change_s(self, t_s: float) -> float:
        return self.rate_and_next_change_s(t_s)[1]

    def rate_and_next_change_s(self, t_s: float) -> tuple[float, float]:
        """(rate_mcg_per_h_at(t_s), next_change_s(t_s)), the step looked up once (a flex step's rate command)."""
        i, day_start_s, next_day_s = self._index(t_s)
        starts = self._starts_s  # type: ignore[attr-defined]
        return self.steps[i].rate_mcg_per_h, day_start_s + starts[i + 1] if i + 1 < len(starts) else next_day_s

    def planned(self, start_s: float, end_s: float) -> list[RatePiece]:
        pieces: list[RatePiece] = []
        if not start_s < end_s:
            return pieces
        starts, rates = self._starts_s, self._rates_mcg_per_h  # type: ignore[attr-defined]
        midnight_s, last, t = self.midnight_s, len(starts) - 1, start_s
        append = pieces.append
        i, k = self._locate(t)
        day_start_s, next_day_s = midnight_s + k * S_PER_DAY, midnight_s + (k + 1) * S_PER_DAY
        while True:
            nxt = day_start_s + starts[i + 1] if i < last else next_day_s  # next_change_s(t)
            if end_s < nxt:
                nxt = end_s
            append(_new_piece(RatePiece, (t, nxt, rates[i])))
            t = nxt
            if not t < end_s:
                return pieces
            # the step in force at t is the next one (or the next day's first), as _locate(t) finds it: checked by
            # the same sums, else looked up (day starts are always midnight_s + k days, the same expression)
            if i < last:
                i += 1
            else:
                i, k = 0, k + 1
                day_start_s, next_day_s = midnight_s + k * S_PER_DAY, midnight_s + (k + 1) * S_PER_DAY
            if not (day_start_s + starts[i] <= t < next_day_s and (i == last or day_start_s + starts[i + 1] > t)):
                i, k = self._locate(t)
                day_start_s, next_day_s = midnight_s + k * S_PER_DAY, midnight_s + (k + 1) * S_PER_DAY


BasalProgram = ContinuousProgram | FlexSchedule


@dataclass(frozen=True)
class ActiveBolus:
    kind: str
    """"clinician", "periodic" or "ptm"."""
    dose_mcg: float
    start_s: float
    end_s: float

    @property
    def rate_mcg_per_h(self) -> float:
        return self.dose_mcg / ((self.end_s - self.start_s) / S_PER_H)

    def planned(self, from_s: float) -> list[RatePiece]:
        start = max(from_s, self.start_s)
        return [RatePiece(start, self.end_s, self.rate_mcg_per_h)] if self.end_s > start else []


@dataclass(frozen=True)
class PeriodicBolus:
    dose_mcg: float
    duration_min: float
    interval_h: float
    next_s: float
    override_soft_limits: bool = False
    """The clinician confirmed the soft-limit alerts at set-up: each run, gated as a bolus, carries the confirmation."""

    @property
    def daily_dose_mcg(self) -> float:
        return self.dose_mcg * H_PER_DAY / self.interval_h

    def planned(self, start_s: float, end_s: float) -> list[RatePiece]:
        pieces, t = [], self.next_s
        rate = self.dose_mcg / (self.duration_min / MIN_PER_H)
        while t < end_s:
            if t + self.duration_min * S_PER_MIN > start_s:
                pieces.append(RatePiece(max(t, start_s), t + self.duration_min * S_PER_MIN, rate))
            t += self.interval_h * S_PER_H
        return pieces
