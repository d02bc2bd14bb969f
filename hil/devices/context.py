"""BuildContext: what a device factory may use while a rig is built."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drivers.clock import DriverClock
from firmware_sim.clock import Clock

if TYPE_CHECKING:
    from hil.devices.rig_sections import RigSections


@dataclass
class BuildContext:
    """What a factory may use: the config, the shared clock, resolved URLs and the emulators started so far."""

    config: RigSections
    clock: Clock
    device_clock: Clock | None = None
    """The time devices keep: the rig's virtual clock, or plain wall time on a wall-clock rig (a real pump runs in
    wall time whatever the time compression; emulators on a wall-clock rig do the same). None: the rig's clock."""
    supervision_period_s: float | None = None
    """The run's supervision period (scenario seconds), None without a run; sets the GRBL motion horizon."""
    time_compression_factor: float = 1.0
    syringe_fill_ul: float | None = None
    pump_url: str = ""
    balance_resource: str = ""
    emulators: dict[str, Any] = field(default_factory=dict)

    @property
    def emulator_clock(self) -> Clock:
        """The device clock: emulators keep it, drivers measure heartbeats and polling intervals on it."""
        return self.device_clock if self.device_clock is not None else self.clock

    @property
    def driver_clock(self) -> DriverClock:
        """The device clock as drivers take it (with call_at for timed actions, as every rig clock has)."""
        clock = self.emulator_clock
        if not isinstance(clock, DriverClock):
            raise TypeError(f"the rig's device clock {type(clock).__name__} cannot run timed actions (call_at)")
        return clock

    @property
    def fill_ul(self) -> float:
        """Volume in the syringe at the start: the run's fill, else a full syringe."""
        return self.config.syringe.volume_ul if self.syringe_fill_ul is None else self.syringe_fill_ul
