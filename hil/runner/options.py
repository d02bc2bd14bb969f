"""How a run is carried out (not what it does: that is the scenario)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from firmware_sim.pump.alarms import AlarmPriority

DEFAULT_GRAVIMETRIC_DURATION_H = 2.0
"""IEC 60601-2-24 trumpet analysis uses the second hour of a two-hour run [U]."""
DEFAULT_PK_STEP_H = 0.1


@dataclass(frozen=True)
class RunOptions:
    out_dir: Path
    time_compression_factor: float = 1.0
    gravimetric_start_h: float | None = None
    """Start of the 30 s balance window; None: at the first step that starts delivery to the patient."""
    gravimetric_duration_h: float = DEFAULT_GRAVIMETRIC_DURATION_H
    pk_step_h: float = DEFAULT_PK_STEP_H
    progress: bool = False
    """On a terminal (stderr): a progress bar on virtual clocks, the live status (hil.runner.live_view) on wall
    clocks."""
    print_run_dir: bool = False
    """One line on stderr naming the run folder as soon as its record is opened."""
    stop_on_alarm: AlarmPriority | None = None
    """End the run (ERROR, pump stopped) when an alarm of this priority or higher latches (hil.runner.alarm_stop)."""
    delivered_profile_resolution_s: float = 900.0
    """Spacing of the balance measurements that scale the delivered profile for the PK prediction (finer
    spacing adds PK segments and cost, not information: the balance resolves volume, not minute flow)."""
    delivered_profile_max_wait_s: float = 450.0
    """Once a delivered-profile point is due, how long the runner waits for a balance reading that a check takes
    anyway (the open-loop stall check weighs every few uL) before it weighs for the point itself: on a virtual clock
    each reading is a serial exchange. 0: weigh the moment a point is due. Points fall at least
    delivered_profile_resolution_s and at most the sum of both apart (plus a supervision period)."""
    operator: str | None = None
    """Who ran it (recorded in run_started and shown in the report)."""
    dut_id: str | None = None
    """The device under test's identifier, e.g. a pump serial or a firmware build (recorded and shown)."""
    max_wall_step_s: float = 1.0
    """On wall-clock rigs the loop wakes at least this often (Ctrl-C is honoured between wake-ups)."""

    def profile_point_spacing(self, supervision_period_s: float) -> ProfilePointSpacing:
        return ProfilePointSpacing.of(self.delivered_profile_resolution_s, self.delivered_profile_max_wait_s,
                                      supervision_period_s)

    def __post_init__(self) -> None:
        if self.stop_on_alarm is not None:
            try:  # "high" as well as AlarmPriority.HIGH (the pytest plugin passes options through)
                object.__setattr__(self, "stop_on_alarm", AlarmPriority(self.stop_on_alarm))
            except ValueError:
                raise ValueError(f"stop_on_alarm must be one of {', '.join(p.value for p in AlarmPriority)}, "
                                 f"got {self.stop_on_alarm!r}") from None
        if not self.gravimetric_duration_h >= 0:
            raise ValueError(f"gravimetric_duration_h must be >= 0, got {self.gravimetric_duration_h}")
        if self.gravimetric_start_h is not None and not self.gravimetric_start_h >= 0:
            raise ValueError(f"gravimetric_start_h must be >= 0, got {self.gravimetric_start_h}")
        for name in ("pk_step_h", "delivered_profile_resolution_s", "max_wall_step_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if not self.delivered_profile_max_wait_s >= 0:
            raise ValueError(f"delivered_profile_max_wait_s must be >= 0, got {self.delivered_profile_max_wait_s}")


@dataclass(frozen=True)
class ProfilePointSpacing:
    """How far apart the balance points that scale the delivered profile fall while the balance answers."""

    resolution_s: float
    longest_gap_s: float
    """Resolution + the longest wait for a reading + one supervision period: a last point further from the run's
    last status tick than this means the balance stopped weighing."""

    @staticmethod
    def of(resolution_s: float, max_wait_s: float, supervision_period_s: float) -> ProfilePointSpacing:
        return ProfilePointSpacing(resolution_s, resolution_s + max_wait_s + supervision_period_s)
