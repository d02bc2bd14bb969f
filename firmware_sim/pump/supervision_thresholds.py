"""What supervision compares a status read against, fixed for the run: read by the supervisor and by the delivery
engine's tick loop (which settles the reads that are plainly quiet itself)."""
from __future__ import annotations

from dataclasses import dataclass

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.safety.limits import DrugLimits


@dataclass(frozen=True)
class SupervisionThresholds:
    """What supervision compares against, fixed for the run (from the frozen config and limits)."""

    tolerance_fraction: float
    tolerance_floor_ul: float
    window_restart_s: float
    """The supervision window restarts once this long has elapsed since its start."""
    dose_breach_mcg: float
    """A reported 24 h dose above this breaches the hard maximum (beyond rounding)."""
    window_h: float
    hard_max_daily_dose_mcg: float
    low_reservoir_ul: float

    @classmethod
    def of(cls, config: FirmwareConfig, limits: DrugLimits) -> SupervisionThresholds:
        return cls(config.delivery_tolerance_fraction, config.delivery_tolerance_floor_ul,
                   config.supervision_window_s - TIME_EPS_S, limits.hard_max_daily_dose_mcg * (1 + 1e-9),
                   limits.window_h, limits.hard_max_daily_dose_mcg, config.low_reservoir_threshold_ul)
