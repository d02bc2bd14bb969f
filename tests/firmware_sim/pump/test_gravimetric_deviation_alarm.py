"""A gravimetric_deviation reported with the actuator status (the harness's balance check, SR-SUP-006) latches the
high-priority alarm with the check's detail, stops delivery and needs an explicit clear (SR-ALM-001)."""
from __future__ import annotations

import pytest

from firmware_sim.ports import ActuatorStatus
from firmware_sim.pump.alarms import AlarmName, AlarmPriority
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.pump.states import PumpState

H = 3600.0
DETAIL = "the balance weighed 54 uL delivered while the pump reported 50 uL"


class WeighedActuator(InMemoryActuator):
    """Reports gravimetric_deviation with a detail once deviating is set (as hil/adapters/stall_check.py does)."""

    deviating = False

    def read_status(self) -> ActuatorStatus:
        status = super().read_status()
        if self.deviating:
            return status._replace(fault="gravimetric_deviation", fault_detail=DETAIL)
        return status


@pytest.mark.requirements("SR-SUP-006", "SR-ALM-001")
def test_a_gravimetric_deviation_latches_the_high_priority_alarm_naming_both_volumes(make_rig):
    rig = make_rig(actuator_class=WeighedActuator)
    fw = rig.primed()
    assert fw.start_continuous(400).approved
    fw.run_until_s(fw.now_s + H)
    rig.actuator.deviating = True
    fw.run_until_s(fw.now_s + H)
    alarm = {a.name: a for a in fw.active_alarms}[AlarmName.GRAVIMETRIC_DEVIATION]
    assert alarm.priority is AlarmPriority.HIGH and alarm.requirement_id == "SR-SUP-006" and alarm.detail == DETAIL
    assert fw.state is PumpState.ALARM and rig.actuator.rate_ul_per_h == 0.0
