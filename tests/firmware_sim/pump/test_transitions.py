"""One test per transition of the table, plus the strict machine settings."""
from __future__ import annotations

import pytest

from firmware_sim.event_log import EventKind
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.states import TRANSITIONS, PumpState, mermaid

S = PumpState
req = pytest.mark.requirements


def test_table_triggers_are_all_exercised_by_name():
    assert {t["trigger"] for t in TRANSITIONS} == {
        "prime", "priming_done", "start_therapy", "change_program", "start_bolus", "bolus_done", "start_bridge",
        "bridge_done", "suspend", "resume", "stop", "raise_alarm", "clear_alarm", "refill", "configure_ptm",
        "configure_periodic_bolus"}


def test_mermaid_renders_every_transition():
    text = mermaid()
    assert text.startswith("stateDiagram-v2")
    assert "idle --> priming: prime" in text
    assert "bolus --> continuous: bolus_done [has_basal_program]" in text
    assert "bolus --> idle: bolus_done [not has_basal_program]" in text


@req("SR-PRM-001")
def test_prime_then_priming_done_after_dead_volume(rig):
    fw = rig.firmware
    fw.refill(20000, 500, 0)
    assert fw.prime().approved and fw.state is S.PRIMING
    dead_ul = fw.config.dead_volume_ul
    fw.run_until_s(3600)
    assert fw.state is S.IDLE
    assert fw.commanded_volume_ul == pytest.approx(dead_ul)
    assert rig.actuator.delivered_ul == pytest.approx(dead_ul)


@req("SR-PRM-001")
def test_prime_rejected_without_fill_and_when_already_primed(rig):
    fw = rig.firmware
    d = fw.prime()
    assert not d.approved and "SR-PRM-001" in d.requirement_ids and fw.state is S.IDLE
    rig.primed()
    d = fw.prime()
    assert not d.approved and "already primed" in d.reasons[0]


@req("SR-PRM-001")
def test_therapy_rejected_before_priming(rig):
    fw = rig.firmware
    fw.refill(20000, 500, 0)
    d = fw.start_continuous(300)
    assert not d.approved and d.requirement_ids == ("SR-PRM-001",)
    assert fw.state is S.IDLE and rig.actuator.commands == []


@req("SR-SUP-005")
def test_start_therapy_commands_rate_converted_with_tip_concentration(rig):
    fw = rig.primed(conc_mcg_per_ml=500)
    assert fw.start_continuous(240).approved and fw.state is S.CONTINUOUS
    # 240 mcg/day = 10 mcg/h at 500 mcg/mL = 20 uL/h
    assert rig.actuator.rate_ul_per_h == pytest.approx(20.0)


def test_change_program_from_continuous(rig):
    fw = rig.primed()
    fw.start_continuous(300)
    fw.run_until_s(fw.now_s + 25 * 3600)
    assert fw.change_rate(250).approved and fw.state is S.CONTINUOUS
    assert rig.actuator.rate_ul_per_h == pytest.approx(250 / 24 / 500 * 1000)


@req("SR-SUP-003")
def test_change_rate_rejected_when_stopped(rig):
    fw = rig.primed()
    d = fw.change_rate(300)
    assert not d.approved and "not allowed in state idle" in d.reasons[0] and d.requirement_ids == ("SR-SUP-003",)


def test_bolus_from_continuous_returns_to_continuous(rig):
    fw = rig.primed()
    fw.start_continuous(240)
    assert fw.clinician_bolus(50, 30).approved and fw.state is S.BOLUS
    assert rig.actuator.rate_ul_per_h == pytest.approx((10 + 100) / 500 * 1000)
    fw.run_until_s(fw.now_s + 30 * 60)
    assert fw.state is S.CONTINUOUS and rig.actuator.rate_ul_per_h == pytest.approx(20.0)


def test_single_bolus_from_stopped_returns_to_stopped(rig):
    fw = rig.primed()
    assert fw.clinician_bolus(50, 30).approved and fw.state is S.BOLUS
    fw.run_until_s(fw.now_s + 3600)
    assert fw.state is S.IDLE and rig.actuator.rate_ul_per_h == 0.0
    starts = [e for e in fw.events if e.kind == EventKind.DOSE and e.fields["event"] == "bolus_end"]
    assert starts[-1].fields["dose_mcg"] == 50


def test_suspend_and_resume_keep_the_program(rig):
    fw = rig.primed()
    fw.start_continuous(240)
    assert fw.suspend().approved and fw.state is S.SUSPENDED and rig.actuator.rate_ul_per_h == 0.0
    assert fw.resume().approved and fw.state is S.CONTINUOUS and rig.actuator.rate_ul_per_h == pytest.approx(20.0)


def test_stop_clears_the_program(rig):
    fw = rig.primed()
    fw.start_continuous(240)
    assert fw.stop().approved and fw.state is S.IDLE and rig.actuator.rate_ul_per_h == 0.0
    d = fw.resume()
    assert not d.approved and "SR-SUP-003" in d.requirement_ids


@req("SR-BOL-005")
def test_bridge_after_concentration_change_then_continuous(rig):
    fw = rig.primed(conc_mcg_per_ml=500)
    fw.start_continuous(240)
    fw.suspend()
    assert fw.refill(10000, 1000, aspirated_ul=fw.reservoir_volume_ul).approved
    d = fw.resume()
    assert not d.approved and "bridge bolus" in d.reasons[0]
    assert fw.bridge_bolus().approved and fw.state is S.BRIDGE
    assert rig.actuator.rate_ul_per_h == pytest.approx(20.0)  # old drug at the old-concentration rate
    bridge_h = fw.config.dead_volume_ul / 20.0
    fw.run_until_s(fw.now_s + bridge_h * 3600 - 60)
    assert fw.state is S.BRIDGE
    fw.run_until_s(fw.now_s + 120)
    assert fw.state is S.CONTINUOUS and rig.actuator.rate_ul_per_h == pytest.approx(10.0)


@req("SR-BOL-005")
def test_bridge_rejected_without_concentration_change(rig):
    fw = rig.primed()
    d = fw.bridge_bolus(rate_mcg_per_day=240)
    assert not d.approved and "no concentration change" in d.reasons[0]


@req("SR-ALM-001")
def test_alarm_and_clear_return_to_suspended_with_program(rig):
    fw = rig.primed()
    fw.start_continuous(240)
    rig.actuator.fault = "occlusion"
    fw.run_until_s(fw.now_s + 60)
    assert fw.state is S.ALARM and rig.actuator.rate_ul_per_h == 0.0
    rig.actuator.fault = None
    assert fw.clear_alarm().approved and fw.state is S.SUSPENDED and fw.active_alarms == ()


def test_clear_alarm_without_program_returns_to_idle(rig):
    fw = rig.primed()
    fw.clinician_bolus(50, 30)
    rig.actuator.fault = "motor_stall"
    fw.run_until_s(fw.now_s + 60)
    assert fw.state is S.ALARM
    rig.actuator.fault = None
    assert fw.clear_alarm().approved and fw.state is S.IDLE


@req("SR-ALM-005")
def test_exception_inside_a_transition_latches_firmware_fault(rig):
    fw = rig.primed()
    fw.start_continuous(240)

    def broken(event_data):
        raise RuntimeError("callback bug")
    fw.therapy.machine.add_transition("poke", S.CONTINUOUS, S.CONTINUOUS, before=broken)
    fw.therapy.fire("poke")
    assert fw.state is S.ALARM and fw.active_alarms[0].name.value == "firmware_fault"
    assert rig.actuator.rate_ul_per_h == 0.0


@req("SR-RES-006")
def test_refill_rejected_while_delivering(rig):
    fw = rig.primed()
    fw.start_continuous(240)
    d = fw.refill(1000, 500, aspirated_ul=fw.reservoir_volume_ul)
    assert not d.approved and d.requirement_ids == ("SR-RES-006",) and "continuous" in d.reasons[0]


@pytest.mark.parametrize("make", [
    lambda: FirmwareConfig(elective_replacement_at_s=float("nan")),
    lambda: FirmwareConfig(elective_replacement_at_s=-1.0),
])
def test_elective_replacement_time_must_be_finite_and_positive(make):
    with pytest.raises(ValueError, match="elective_replacement_at_s"):
        make()


def test_flex_step_start_must_be_finite():
    from firmware_sim.pump.programs import FlexSchedule, FlexStep
    with pytest.raises(ValueError, match="finite"):
        FlexSchedule((FlexStep(0.0, 10.0), FlexStep(float("nan"), 12.0)))
