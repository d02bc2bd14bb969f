"""Reservoir accounting, refills, and the delivery profile rebuilt from the log."""
from __future__ import annotations

import pytest

from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import FlexSchedule, FlexStep
from firmware_sim.pump.states import PumpState

req = pytest.mark.requirements
H = 3600.0


@req("SR-RES-001")
def test_reservoir_is_conserved_and_follows_commanded_volume(rig):
    fw = rig.primed(volume_ul=20000)
    fw.start_continuous(240)
    fw.run_until_s(fw.now_s + 10 * H)
    assert fw.reservoir_volume_ul == pytest.approx(20000 - fw.commanded_volume_ul)
    fw.suspend()
    assert fw.refill(15000, 500, aspirated_ul=fw.reservoir_volume_ul - 200).approved
    assert fw.reservoir_volume_ul == 15000
    assert abs(fw.reservoir_balance_error_ul) < 1e-6


@req("SR-RES-005")
def test_refill_mismatch_rejected_then_overridden_and_recorded(rig):
    fw = rig.primed()
    d = fw.refill(10000, 500, aspirated_ul=fw.reservoir_volume_ul - 3000)
    assert not d.approved and "over-infusion" in d.reasons[0]
    d = fw.refill(10000, 500, aspirated_ul=fw.reservoir_volume_ul - 3000, override_mismatch=True)
    assert d.approved and d.overridden
    rec = [e for e in fw.events if e.kind == "decision"][-1]
    assert rec.fields["overridden"] and rec.fields["approved"]


@req("SR-PRM-002")
def test_profile_counts_nothing_before_the_tip_and_matches_delivery(rig):
    fw = rig.primed(conc_mcg_per_ml=500)
    t_start = fw.now_s
    fw.start_continuous(240)
    fw.run_until_s(fw.now_s + 24 * H)
    profile = fw.delivery_profile()
    assert profile.segments[0].start_h == pytest.approx(t_start / H)
    assert profile.total_dose_mcg() == pytest.approx(240.0, rel=1e-9)


@req("SR-PRM-002", "SR-BOL-005")
def test_profile_plug_flow_delay_after_concentration_change(rig):
    fw = rig.primed(conc_mcg_per_ml=500)
    fw.start_continuous(240)   # 20 uL/h
    fw.run_until_s(fw.now_s + 10 * H)
    fw.suspend()
    fw.refill(10000, 1000, aspirated_ul=fw.reservoir_volume_ul)
    t_bridge = fw.now_s
    fw.bridge_bolus()
    fw.run_until_s(fw.now_s + 48 * H)
    profile = fw.delivery_profile()
    rates = {round(s.rate_mcg_per_h, 9) for s in profile.segments}
    assert rates == {10.0}   # the tip dose rate never jumps at the concentration change
    assert profile.total_dose_mcg() == pytest.approx(10.0 * (fw.now_s - profile.segments[0].start_h * H) / H)
    bridge_end_s = t_bridge + fw.config.dead_volume_ul / 20.0 * H
    switch = [e for e in fw.events if e.kind == "rate_command" and e.t_s > t_bridge]
    assert switch[-1].t_s == pytest.approx(bridge_end_s) and switch[-1].fields["rate_ul_per_h"] == pytest.approx(10.0)


def test_profile_follows_the_actuator_report_not_the_program(rig):
    """A silent stall: the profile counts what the actuator reported, not what was commanded."""
    fw = rig.primed()
    fw.start_continuous(240)
    fw.run_until_s(fw.now_s + 0.5 * 60)
    rig.actuator.gain = 0.0
    fw.run_until_s(fw.now_s + 2 * H)
    assert fw.state is PumpState.ALARM
    assert fw.delivery_profile().total_dose_mcg() < 10.0 * 2


def test_flex_schedule_steps_change_the_rate(rig):
    fw = rig.primed()
    t0 = fw.now_s
    schedule = FlexSchedule((FlexStep(0.0, 10.0), FlexStep(8.0, 20.0), FlexStep(20.0, 5.0)))
    assert schedule.daily_dose_mcg == pytest.approx(80 + 240 + 20)
    assert fw.start_flex(schedule).approved
    fw.run_until_s(8 * H + 1)
    assert rig.actuator.rate_ul_per_h == pytest.approx(20.0 / 500 * 1000)
    fw.run_until_s(20 * H + 1)
    assert rig.actuator.rate_ul_per_h == pytest.approx(5.0 / 500 * 1000)
    fw.run_until_s(48 * H)
    assert fw.delivery_profile().total_dose_mcg() == pytest.approx(
        sum(p.dose_mcg for p in schedule.planned(t0, 48 * H)), rel=1e-9)


@req("SR-BOL-004")
def test_periodic_bolus_runs_on_schedule_through_the_gate(rig):
    fw = rig.primed()
    fw.start_continuous(240)
    fw.run_until_s(fw.now_s + 25 * H)  # the periodic boluses raise the daily dose: one increase per 24 h
    assert fw.setup_periodic_bolus(15, 10, 6).approved  # 240 + 60 = 300 mcg/day, +25 % (cap 30 %)
    fw.run_until_s(fw.now_s + 24 * H + 1)
    runs = [e for e in fw.events if e.kind == "dose" and e.fields["event"] == "bolus_start"]
    assert len(runs) == 4 and all(e.fields["bolus_kind"] == "periodic" for e in runs)


@req("SR-BOL-003")
def test_one_bolus_at_a_time(rig):
    fw = rig.primed()
    fw.start_continuous(240)
    assert fw.clinician_bolus(20, 30).approved
    d = fw.clinician_bolus(20, 30)
    assert not d.approved and d.requirement_ids == ("SR-BOL-003",)


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="supervision_period_s"):
        FirmwareConfig(supervision_period_s=0)
    with pytest.raises(ValueError, match="supervision_period_s must be >= 1 s, got 1e-09"):
        FirmwareConfig(supervision_period_s=1e-9)  # the tick time would stop advancing


@req("SR-DOSE-007", "SR-BOL-004")
@pytest.mark.parametrize("dose_mcg, duration_min, interval_h, first_t_s, rid", [
    (50, 10, 0.0, None, "SR-DOSE-007"),            # a zero interval must be refused, not looped over
    (50, 0.0, 6, None, "SR-DOSE-007"),
    (50, 10, "6", None, "SR-DOSE-007"),
    (50, 10, 6, float("nan"), "SR-DOSE-007"),
    (50, 120, 1, None, "SR-BOL-004"),
])
def test_invalid_periodic_bolus_is_rejected_and_logged(rig, dose_mcg, duration_min, interval_h, first_t_s, rid):
    fw = rig.primed()
    n = len(fw.events)
    d = fw.setup_periodic_bolus(dose_mcg, duration_min, interval_h, first_t_s)
    assert not d.approved and rid in d.requirement_ids
    assert any(e.kind == "decision" and not e.fields["approved"] for e in fw.events[n:])
