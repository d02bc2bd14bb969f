"""What a run looks like right now, as a value: the status snapshot the live display renders.

The runner feeds a RunMonitor as it goes (run facts at the start, scenario time, firmware events, volume samples,
balance readings); StatusTracker folds those into an immutable StatusSnapshot. No terminal and no I/O here:
the renderer (hil.runner.live_view) reads `tracker.snapshot` whenever it refreshes.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import TypedDict, Unpack

from firmware_sim.event_log import Event, EventKind
from firmware_sim.units import H_PER_DAY, UL_PER_ML

NOT_STARTED = "not started"


@dataclass(frozen=True)
class RunInfo:
    """The facts of a run known when its record is opened."""
    scenario_name: str
    run_dir: Path
    clock: str
    """virtual | wall"""
    duration_s: float
    time_compression_factor: float = 1.0


@dataclass(frozen=True)
class LatchedAlarm:
    t_s: float
    name: str
    priority: str
    cleared_t_s: float | None = None


@dataclass(frozen=True)
class BalanceReading:
    t_s: float
    mass_g: float
    stable: bool


@dataclass(frozen=True)
class StatusSnapshot:
    info: RunInfo
    t_s: float = 0.0
    """Scenario time now (seconds since the run's t=0)."""
    wall_elapsed_s: float = 0.0
    state: str = NOT_STARTED
    rate_ul_per_h: float = 0.0
    conc_mcg_per_ml: float | None = None
    """Reservoir concentration of the last fill (None before the first)."""
    commanded_ul: float | None = None
    pump_reported_ul: float | None = None
    gravimetric_ul: float | None = None
    volumes_t_s: float | None = None
    balance: BalanceReading | None = None
    alarms: tuple[LatchedAlarm, ...] = ()

    @property
    def rate_mcg_per_day(self) -> float | None:
        if self.conc_mcg_per_ml is None:
            return None
        return self.rate_ul_per_h * self.conc_mcg_per_ml / UL_PER_ML * H_PER_DAY

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.info.duration_s - self.t_s)

    @property
    def remaining_wall_s(self) -> float | None:
        """Wall time left on a wall clock (scenario time runs time_compression_factor times faster); None on a
        virtual clock, which runs as fast as the machine does."""
        if self.info.clock != "wall":
            return None
        return self.remaining_s / self.info.time_compression_factor

    @property
    def balance_age_wall_s(self) -> float | None:
        """How long ago, in wall seconds on a wall clock (scenario seconds on a virtual one), the last reading was."""
        if self.balance is None:
            return None
        age_s = max(0.0, self.t_s - self.balance.t_s)
        return age_s / self.info.time_compression_factor if self.info.clock == "wall" else age_s


class RunMonitor:
    """What the runner tells whoever watches the run; every method does nothing here."""

    def started(self, info: RunInfo) -> None:
        """The record is open; nothing has run yet."""

    def at(self, t_s: float) -> None:
        """Scenario time has reached t_s."""

    def firmware_event(self, event: Event) -> None:
        """One firmware event, as it is written to the record."""

    def volumes(self, t_s: float, commanded_ul: float, pump_reported_ul: float | None,
                gravimetric_ul: float | None, rate_ul_per_h: float) -> None:
        """One volume sample, as it is written to the record."""

    def balance(self, t_s: float, mass_g: float, stable: bool) -> None:
        """One balance reading (every reading, not only the gravimetric window's)."""


class SnapshotChanges(TypedDict, total=False):
    """The StatusSnapshot fields StatusTracker changes beside the time (t_s and wall_elapsed_s it sets itself)."""

    state: str
    rate_ul_per_h: float
    conc_mcg_per_ml: float | None
    commanded_ul: float | None
    pump_reported_ul: float | None
    gravimetric_ul: float | None
    volumes_t_s: float | None
    balance: BalanceReading | None
    alarms: tuple[LatchedAlarm, ...]


class StatusTracker(RunMonitor):
    """Folds what the runner says into `snapshot` (replaced, never changed in place, so a display thread can read
    it at any moment). wall_clock_s gives wall seconds (time.monotonic by default)."""

    def __init__(self, wall_clock_s: Callable[[], float] = time.monotonic) -> None:
        self._wall_clock_s = wall_clock_s
        self._wall_start_s = wall_clock_s()
        self.snapshot: StatusSnapshot | None = None

    def _update(self, t_s: float, **changes: Unpack[SnapshotChanges]) -> None:
        """Scenario time moves to t_s (never back), the wall time to now, and the fields changed to `changes`."""
        if self.snapshot is not None:
            wall_elapsed_s = self._wall_clock_s() - self._wall_start_s
            self.snapshot = dataclasses.replace(self.snapshot, t_s=max(self.snapshot.t_s, t_s),
                                                wall_elapsed_s=wall_elapsed_s, **changes)

    def started(self, info: RunInfo) -> None:
        self._wall_start_s = self._wall_clock_s()
        self.snapshot = StatusSnapshot(info)

    def at(self, t_s: float) -> None:
        self._update(t_s)

    def firmware_event(self, event: Event) -> None:
        fields, snapshot = event.fields, self.snapshot
        if snapshot is None:
            return
        if event.kind == EventKind.STATE:
            self._update(event.t_s, state=str(fields["to_state"]))
        elif event.kind == EventKind.RATE_COMMAND:
            self._update(event.t_s, rate_ul_per_h=float(fields["rate_ul_per_h"]))
        elif event.kind == EventKind.REFILL:
            self._update(event.t_s, conc_mcg_per_ml=float(fields["conc_mcg_per_ml"]))
        elif event.kind == EventKind.ALARM:
            alarm = LatchedAlarm(event.t_s, str(fields["alarm"]), str(fields["priority"]))
            self._update(event.t_s, alarms=snapshot.alarms + (alarm,))
        elif event.kind == EventKind.ALARM_CLEARED:
            name = str(fields["alarm"])
            alarms = tuple(dataclasses.replace(a, cleared_t_s=event.t_s)
                           if a.name == name and a.cleared_t_s is None else a for a in snapshot.alarms)
            self._update(event.t_s, alarms=alarms)

    def volumes(self, t_s: float, commanded_ul: float, pump_reported_ul: float | None,
                gravimetric_ul: float | None, rate_ul_per_h: float) -> None:
        self._update(t_s, commanded_ul=commanded_ul, pump_reported_ul=pump_reported_ul,
                     gravimetric_ul=gravimetric_ul, volumes_t_s=t_s, rate_ul_per_h=rate_ul_per_h)

    def balance(self, t_s: float, mass_g: float, stable: bool) -> None:
        self._update(t_s, balance=BalanceReading(t_s, mass_g, stable))
