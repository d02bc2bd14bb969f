"""What reaches the catheter tip: the input to the PK kernel.

Built by the firmware from its delivery log (delivered, not programmed) or by the CLI from a regimen.
Overlapping segments add up (a clinician bolus over 1 min on top of a continuous rate).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field


def _require_finite(owner: str, **values: float) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"{owner}.{name} must be a finite number, got {value!r}")


@dataclass(frozen=True)
class InfusionSegment:
    start_h: float
    duration_h: float
    rate_mcg_per_h: float

    def __post_init__(self) -> None:
        _require_finite("InfusionSegment", start_h=self.start_h, duration_h=self.duration_h,
                        rate_mcg_per_h=self.rate_mcg_per_h)
        if self.duration_h <= 0:
            raise ValueError(f"InfusionSegment.duration_h must be > 0 h, got {self.duration_h}")
        if self.rate_mcg_per_h < 0:
            raise ValueError(f"InfusionSegment.rate_mcg_per_h must be >= 0, got {self.rate_mcg_per_h}")

    @property
    def end_h(self) -> float:
        return self.start_h + self.duration_h

    @property
    def dose_mcg(self) -> float:
        return self.rate_mcg_per_h * self.duration_h


@dataclass(frozen=True)
class InstantBolus:
    """A dose treated as instantaneous at the catheter tip (e.g. a manual lumbar injection)."""

    t_h: float
    dose_mcg: float

    def __post_init__(self) -> None:
        _require_finite("InstantBolus", t_h=self.t_h, dose_mcg=self.dose_mcg)
        if self.dose_mcg < 0:
            raise ValueError(f"InstantBolus.dose_mcg must be >= 0, got {self.dose_mcg}")


@dataclass(frozen=True)
class DeliveryProfile:
    segments: tuple[InfusionSegment, ...] = field(default_factory=tuple)
    instant_boluses: tuple[InstantBolus, ...] = field(default_factory=tuple)

    def total_dose_mcg(self) -> float:
        return sum(s.dose_mcg for s in self.segments) + sum(b.dose_mcg for b in self.instant_boluses)

    def dose_until_mcg(self, end_h: float) -> float:
        """Drug that reached the catheter tip up to end_h (a bolus at end_h counts; a segment only up to end_h)."""
        infused = sum(s.rate_mcg_per_h * max(0.0, min(s.end_h, end_h) - s.start_h) for s in self.segments)
        return infused + sum(b.dose_mcg for b in self.instant_boluses if b.t_h <= end_h)
