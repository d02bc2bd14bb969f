"""Shared set-up: a firmware on a virtual clock with an in-memory actuator."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.event_log import Event
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import PumpFirmware
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.safety.limits import DrugLimits


@dataclass
class Rig:
    clock: VirtualClock
    actuator: InMemoryActuator
    firmware: PumpFirmware
    sunk: list[Event]

    def primed(self, volume_ul: float = 20000.0, conc_mcg_per_ml: float = 500.0) -> PumpFirmware:
        fw = self.firmware
        assert fw.refill(volume_ul, conc_mcg_per_ml, aspirated_ul=0.0).approved
        assert fw.prime().approved
        fw.run_until_s(fw.now_s + 2 * 3600)
        return fw

    def bridged_to(self, conc_mcg_per_ml: float, volume_ul: float = 10000.0) -> PumpFirmware:
        """Suspend, refill at conc_mcg_per_ml (the residual aspirated as estimated) and start a bridge bolus."""
        fw = self.firmware
        assert fw.suspend().approved
        assert fw.refill(volume_ul, conc_mcg_per_ml, aspirated_ul=fw.reservoir_volume_ul).approved
        assert fw.bridge_bolus().approved
        return fw


@pytest.fixture
def make_rig():
    def make(config: FirmwareConfig | None = None, limits: DrugLimits | None = None, gain: float = 1.0,
             clock: VirtualClock | None = None, actuator_class: type[InMemoryActuator] = InMemoryActuator) -> Rig:
        clock = clock or VirtualClock()
        actuator = actuator_class(clock, gain=gain)
        sunk: list[Event] = []
        fw = PumpFirmware(config or FirmwareConfig(), limits or DrugLimits(), actuator, clock, sunk.append)
        return Rig(clock, actuator, fw, sunk)
    return make


@pytest.fixture
def rig(make_rig) -> Rig:
    return make_rig()
