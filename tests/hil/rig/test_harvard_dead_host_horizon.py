"""On the emulated Harvard rig, the firmware's actuator port over the real driver and pty: a pump read every
supervision period never stops at its dead-host target, and one read later than the horizon allows stopped at it and
raises a high-priority alarm, never a silent stop [SR-DRV-013]."""
from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.pump.alarms import ALARM_PRIORITY, AlarmName, AlarmPriority, alarm_for_actuator_fault
from hil.adapters.actuator import PumpActuator
from hil.config.loading import load_model
from hil.config.rig import RigConfig
from hil.rig import Rig

RIG = Path(__file__).resolve().parents[3] / "bench_configs" / "rigs" / "emulated-harvard.yaml"
pytestmark = [pytest.mark.timeout(120), pytest.mark.requirements("SR-DRV-013", "SR-ALM-004")]


def test_reads_every_period_keep_the_pump_running_and_a_late_read_is_a_high_priority_alarm():
    with Rig(load_model(RIG, RigConfig), syringe_fill_ul=5000, supervision_period_s=60.0) as rig:
        actuator = PumpActuator(rig.pump)
        actuator.command_rate_ul_per_h(600.0)  # the horizon: 3 periods, 30 uL
        for _ in range(30):
            rig.clock.advance_s(60.0)
            status = actuator.read_status()
            assert status.running and status.fault is None
        assert status.delivered_ul == pytest.approx(300.0, abs=0.1)
        rig.clock.advance_s(240.0)  # a tick a period later than the horizon allows
        status = actuator.read_status()
    assert status.running is False and status.fault == "actuator_fault"
    assert status.delivered_ul == pytest.approx(330.0, abs=0.1)  # it stopped itself at the horizon's target
    assert ALARM_PRIORITY[alarm_for_actuator_fault(status.fault, from_exception=False)] == AlarmPriority.HIGH
    assert alarm_for_actuator_fault(status.fault, from_exception=False) == AlarmName.ACTUATOR_FAULT
