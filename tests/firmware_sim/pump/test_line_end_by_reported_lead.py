"""Priming and a bridge bolus end where the pump's reports put the line step at the tip (SR-PRM-003). A pump running
fast within the supervision band (no alarm) brings the drug to the tip before the commanded volume says so: ending on
the commanded volume alone pushed 136 mcg into the patient at the priming rate (14 % fast), and a bridge to a
stronger concentration ran the new drug at the old one's volume rate (4.6x the programmed tip dose)."""
from __future__ import annotations

import pytest

from firmware_sim.event_log import EventKind
from firmware_sim.pump.states import PumpState

req = pytest.mark.requirements
H = 3600.0


def _history_mcg(fw) -> float:
    return float(fw.engine.history().cum_mcg[-1])


def _state_times_s(fw, to_state: PumpState) -> list[float]:
    return [e.t_s for e in fw.events if e.kind is EventKind.STATE and e.fields["to_state"] == to_state.value]


def _one_tick_lead_ul(fw, gain: float, rate_ul_per_h: float) -> float:
    """What the reported lead can gain between two ticks, plus the slack a lead must pass to count."""
    config = fw.config
    return max(gain - 1.0, 0.0) * rate_ul_per_h * config.supervision_period_s / H + config.delivery_tolerance_floor_ul


@req("SR-PRM-003", "SR-PRM-002")
@pytest.mark.parametrize("gain", [0.88, 1.0, 1.10, 1.14])
def test_priming_ends_when_the_reports_show_drug_at_the_tip(make_rig, gain):
    rig = make_rig(gain=gain)
    fw = rig.firmware
    assert fw.refill(20000, 2000, aspirated_ul=0.0).approved
    assert fw.prime().approved
    fw.run_until_s(2 * H)
    assert not fw.active_alarms
    config = fw.config
    past_tip_ul = _history_mcg(fw) / 2.0  # 2000 mcg/mL is 2 mcg/uL
    assert past_tip_ul <= _one_tick_lead_ul(fw, gain, config.priming_rate_ul_per_h) + 1e-9
    [done_s] = _state_times_s(fw, PumpState.IDLE)[-1:]
    commanded_end_s = config.dead_volume_ul / config.priming_rate_ul_per_h * H
    reported_end_s = commanded_end_s / max(gain, 1.0)
    assert reported_end_s - 1e-6 <= done_s <= reported_end_s + config.supervision_period_s
    assert fw.engine.tip_conc_now() == 2000  # the line counts as primed though the commanded volume is short of it
    assert fw.start_continuous(400).approved
    fw.run_until_s(3 * H)
    assert fw.state is PumpState.CONTINUOUS and not fw.active_alarms


@req("SR-PRM-003", "SR-BOL-005")
@pytest.mark.parametrize("gain", [1.0, 1.14])
def test_a_bridge_ends_when_the_reports_show_the_new_drug_at_the_tip(make_rig, gain):
    rig = make_rig()
    fw = rig.primed(conc_mcg_per_ml=500)
    assert fw.start_continuous(800).approved
    fw.run_until_s(30 * H)
    rig.actuator.gain = gain
    rig.bridged_to(2000)
    bridge_start_mcg = _history_mcg(fw)
    fw.run_until_s(30 * H + 24 * H)
    assert fw.state is PumpState.CONTINUOUS and not fw.active_alarms
    day_mcg = _history_mcg(fw) - bridge_start_mcg
    old_rate_ul_per_h = 800 / 24 / 500 * 1000
    overshoot_mcg = _one_tick_lead_ul(fw, gain, old_rate_ul_per_h) * 2000 / 1000 * (1 - 500 / 2000)
    assert day_mcg <= 800 * gain + overshoot_mcg + 1e-6
    assert _history_mcg(fw) == pytest.approx(fw.delivery_profile().total_dose_mcg(), rel=1e-9)


@req("SR-PRM-003", "SR-BOL-005")
@pytest.mark.parametrize("gain", [0.86, 1.0])
def test_a_bridge_to_a_weaker_drug_ends_when_the_reports_show_the_stronger_one_gone(make_rig, gain):
    """A slow pump leaves part of the old, stronger drug in the line when the commanded volume says it has gone:
    ending the bridge there pushed it at the weaker drug's volume rate (114.7 mcg/h at the tip against 33.3 for
    1.19 h, 2000 -> 500 mcg/mL at 800 mcg/day, 14 % slow). The step to a weaker drug now waits for the reports too."""
    rig = make_rig()
    fw = rig.primed(conc_mcg_per_ml=2000)
    assert fw.start_continuous(800, override_soft_limits=True).approved
    fw.run_until_s(fw.now_s + 24 * H)
    rig.actuator.gain = gain
    rig.bridged_to(500, volume_ul=20000)
    bridge_start_s, bridge_start_mcg = fw.now_s, _history_mcg(fw)
    fw.run_until_s(bridge_start_s + 48 * H)  # the bridge pushes 486 uL at 2000 mcg/mL: about 29 h
    assert fw.state is PumpState.CONTINUOUS and not fw.active_alarms
    two_days_mcg = _history_mcg(fw) - bridge_start_mcg
    one_tick_slack_mcg = _one_tick_lead_ul(fw, 2.0 - gain, 800 / 24 / 500 * 1000) * 2000 / 1000
    assert two_days_mcg <= 2 * 800 * gain + one_tick_slack_mcg + 1e-6
    assert _history_mcg(fw) == pytest.approx(fw.delivery_profile().total_dose_mcg(), rel=1e-9)


@req("SR-PRM-003")
@pytest.mark.parametrize("period_s", [240.0, 1800.0, 3600.0])
def test_priming_reads_the_pump_often_whatever_the_supervision_period(make_rig, period_s):
    """The lead is known only from reads: with a 1800 s supervision period a 29 min priming had no read at all, and a
    pump 14 % fast pushed 136 mcg past the tip at the priming rate. Priming and bridging read at least every 60 s."""
    from firmware_sim.pump.config import FirmwareConfig
    from firmware_sim.pump.scheduler import LINE_READ_PERIOD_S
    rig = make_rig(config=FirmwareConfig(supervision_period_s=period_s), gain=1.14)
    fw = rig.firmware
    assert fw.refill(20000, 2000, aspirated_ul=0.0).approved
    assert fw.prime().approved
    reads_before = rig.actuator.status_reads
    fw.run_until_s(fw.config.dead_volume_ul / fw.config.priming_rate_ul_per_h * H)
    assert fw.state is PumpState.IDLE and not fw.active_alarms
    assert rig.actuator.status_reads - reads_before >= 20  # every 60 s of a priming of about 26 min
    lead_ul = 0.14 * fw.config.priming_rate_ul_per_h * LINE_READ_PERIOD_S / H + fw.config.delivery_tolerance_floor_ul
    assert _history_mcg(fw) / 2.0 <= lead_ul + 1e-9  # uL past the tip at 2000 mcg/mL
