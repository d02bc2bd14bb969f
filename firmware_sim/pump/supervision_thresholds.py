"""What supervision compares a status read against, fixed for the run, and what the delivery engine's tick loop asks
of supervision (the loop settles the reads that are plainly quiet itself)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.ports import ActuatorStatus
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


class TickSupervision(Protocol):
    """What the tick loop asks of supervision (supervision.Supervisor)."""

    @property
    def thresholds(self) -> SupervisionThresholds: ...

    def check_read(self, status: ActuatorStatus, commanded_ul: float, reported_ul: float, elapsed_s: float) -> bool:
        """Raise the alarms of a read that is not plainly quiet; whether any was raised."""
        ...

    def read_failed(self, exc: Exception) -> None:
        """Raise the alarm of a status read that failed."""
        ...
