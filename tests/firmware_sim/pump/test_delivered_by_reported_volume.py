"""The firmware's delivered-dose history places drug in the line by the pump-reported volume, as the delivered
profile does: a pump running fast (within the supervision band, so no alarm) pushes drug past the tip earlier than
commanded, and the gate's 24 h window must count it. Before, the history followed the commanded volume and missed
what a fast priming pushed to the patient, and split a concentration front where the commanded volume put it."""
from __future__ import annotations

import pytest

from firmware_sim.ports import ActuatorStatus
from firmware_sim.pump.alarms import AlarmName
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.limits import DrugLimits

req = pytest.mark.requirements
H = 3600.0


def _history_mcg(fw) -> float:
    return float(fw.engine.history().cum_mcg[-1])


@req("SR-DOSE-003")
def test_drug_a_fast_priming_pushes_past_the_tip_counts_in_the_window(make_rig):
    rig = make_rig(gain=1.14)
    fw = rig.firmware
    assert fw.refill(20000, 2000, aspirated_ul=0.0).approved
    assert fw.prime().approved
    fw.run_until_s(fw.config.dead_volume_ul / fw.config.priming_rate_ul_per_h * H)  # when commanded priming ends
    assert fw.state is PumpState.IDLE and not fw.active_alarms  # 14 % fast is inside the supervision band
    pushed_past_mcg = _history_mcg(fw)
    assert pushed_past_mcg > 1.0  # priming ends on the pump's reports, at most a tick after the drug reached the tip
    assert pushed_past_mcg == pytest.approx(fw.delivery_profile().total_dose_mcg(), rel=1e-9)

    rig.actuator.gain = 1.0
    hard_max_mcg = DrugLimits().hard_max_daily_dose_mcg  # make_rig's limits
    decision = fw.start_continuous(hard_max_mcg, override_soft_limits=True)
    assert not decision.approved and "SR-DOSE-003" in decision.requirement_ids
    assert fw.start_continuous(hard_max_mcg - 2 * pushed_past_mcg, override_soft_limits=True).approved


@req("SR-DOSE-003")
@pytest.mark.parametrize("gain", [0.88, 1.0, 1.14])
def test_a_bridge_to_a_stronger_concentration_is_counted_where_the_pump_put_it(make_rig, gain):
    rig = make_rig()
    fw = rig.primed(conc_mcg_per_ml=500)
    assert fw.start_continuous(400).approved
    fw.run_until_s(30 * H)
    rig.actuator.gain = gain
    rig.bridged_to(2000)
    fw.run_until_s(80 * H)
    assert not fw.active_alarms
    assert _history_mcg(fw) == pytest.approx(fw.delivery_profile().total_dose_mcg(), rel=1e-9)


class CounterGoesBack(InMemoryActuator):
    """Reports drop_ul less from drop_at_s on (a counter that went back): it pushed nothing backwards."""

    def __init__(self, clock, gain: float = 1.0, drop_at_s: float = 40 * H, drop_ul: float = 300.0) -> None:
        super().__init__(clock, gain=gain)
        self.drop_at_s, self.drop_ul = drop_at_s, drop_ul

    def read_status(self) -> ActuatorStatus:
        status = super().read_status()
        if self._clock.now_s() >= self.drop_at_s:
            return status._replace(delivered_ul=status.delivered_ul - self.drop_ul)
        return status


def test_a_counter_that_went_back_pushes_nothing_and_drug_after_it_counts_once(make_rig):
    """A counter 30 uL back, after a front reached the tip: the history still agrees with the delivered profile
    (which counts a step back as nothing pushed), rather than counting the stretch before the front again."""
    rig = make_rig(actuator_class=CounterGoesBack)
    rig.actuator.drop_at_s = 50 * H
    fw = rig.primed(conc_mcg_per_ml=500)
    assert fw.start_continuous(400).approved
    fw.run_until_s(30 * H)
    rig.bridged_to(2000)
    fw.run_until_s(49 * H)
    assert fw.state is not PumpState.BRIDGE  # the reservoir's drug reached the tip
    fw.run_until_s(51 * H)
    assert [a.name for a in fw.active_alarms] == [AlarmName.UNDER_DELIVERY]
    assert fw.clear_alarm().approved
    assert fw.start_continuous(400).approved
    fw.run_until_s(80 * H)
    assert _history_mcg(fw) == pytest.approx(fw.delivery_profile().total_dose_mcg(), rel=1e-9)
