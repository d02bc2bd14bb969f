"""Side doors to therapy: every command that starts or raises delivery is judged on the therapy that will run.

Each test drives one door found by looking through every PumpFirmware command: the bridge bolus (judged on the
reservoir's concentration, with every check start_continuous has), periodic boluses (part of the daily dose,
titration and screening rules), PTM presses, and drug left in the line from earlier fills (a plug of another
concentration ahead of the reservoir's drug).
"""
from __future__ import annotations

import pytest

from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import FlexSchedule, FlexStep
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.limits import DrugLimits, Indication

req = pytest.mark.requirements
H = 3600.0
S = PumpState


def changed_to(fw, conc_mcg_per_ml, then_stop=False):
    """Suspend (or stop) a running pump and refill at another concentration."""
    (fw.stop if then_stop else fw.suspend)()
    assert fw.refill(10000, conc_mcg_per_ml, aspirated_ul=fw.reservoir_volume_ul).approved


@req("SR-DOSE-005", "SR-BOL-005")
def test_bridge_bolus_to_a_screening_only_concentration_is_refused(rig):
    fw = rig.primed(conc_mcg_per_ml=500)
    assert fw.start_continuous(400).approved
    fw.run_until_s(30 * H)
    changed_to(fw, 50, then_stop=True)
    assert not fw.start_continuous(400).approved
    d = fw.bridge_bolus(rate_mcg_per_day=400)
    assert not d.approved and "SR-DOSE-005" in d.requirement_ids and "screening" in " ".join(d.reasons)
    assert fw.state is S.IDLE and rig.actuator.rate_ul_per_h == 0.0


@req("SR-DOSE-005", "SR-BOL-005")
@pytest.mark.parametrize("program", ["continuous", "flex"])
def test_bridge_keeping_the_program_to_a_screening_only_concentration_is_refused(rig, program):
    fw = rig.primed(conc_mcg_per_ml=500)
    if program == "flex":
        assert fw.start_flex(FlexSchedule((FlexStep(0.0, 10.0), FlexStep(12.0, 15.0)))).approved
    else:
        assert fw.start_continuous(300).approved
    fw.run_until_s(30 * H)
    changed_to(fw, 50)
    d = fw.bridge_bolus()
    assert not d.approved and d.requirement_ids == ("SR-DOSE-005",)
    assert fw.state is S.SUSPENDED


def _after_change(make_rig, new_conc, limits=None):
    """A pump that ran 300 mcg/day at 500 mcg/mL for a day and is stopped, then refilled at new_conc."""
    rig = make_rig(limits=limits)
    fw = rig.primed(conc_mcg_per_ml=500)
    assert fw.start_continuous(300).approved
    fw.run_until_s(30 * H)
    changed_to(fw, new_conc, then_stop=True)
    return fw


def _flush_line(fw, conc_mcg_per_ml):
    """Test-only: as if tubing and catheter had held conc_mcg_per_ml all along (the line is settled)."""
    track = fw.engine.track
    track._conc_mcg_per_ml[:] = [conc_mcg_per_ml] * len(track._conc_mcg_per_ml)
    track._plug = (float("inf"), -float("inf"), 0.0)


@req("SR-DOSE-001", "SR-DOSE-002", "SR-DOSE-005", "SR-DOSE-006", "SR-TIT-001", "SR-TIT-002", "SR-BOL-005")
@pytest.mark.parametrize("rate, override, limits", [
    (300, False, None), (390, False, None), (400, False, None),   # titration cap 30 % from 300 mcg/day
    (900, False, DrugLimits(titration_cap_fraction={Indication.SPINAL: 5.0, Indication.CEREBRAL: 5.0})),
    (900, True, DrugLimits(titration_cap_fraction={Indication.SPINAL: 5.0, Indication.CEREBRAL: 5.0})),
    (1300, True, DrugLimits(titration_cap_fraction={Indication.SPINAL: 5.0, Indication.CEREBRAL: 5.0})),
    (320, False, DrugLimits(max_rate_mcg_per_h=13.0)),                # 13.3 mcg/h
])
@pytest.mark.parametrize("new_conc", [50, 1000, 2000])
def test_bridge_bolus_is_judged_as_start_continuous_at_the_reservoir_concentration(make_rig, rate, override, limits,
                                                                                   new_conc):
    """The bridge and a plain start at the same concentration agree on every limit (only the bridge rule
    itself, SR-BOL-005, tells them apart)."""
    bridged = _after_change(make_rig, new_conc, limits).bridge_bolus(rate, override_soft_limits=override)
    settled = _after_change(make_rig, new_conc, limits)
    _flush_line(settled, new_conc)
    started = settled.start_continuous(rate, override_soft_limits=override)
    assert bridged.approved == started.approved, (bridged.reasons, started.reasons)
    assert set(bridged.requirement_ids) == set(started.requirement_ids)
    if new_conc == 50:
        assert not bridged.approved and "SR-DOSE-005" in bridged.requirement_ids


@req("SR-DOSE-005", "SR-BOL-004")
def test_periodic_bolus_is_refused_at_a_screening_only_concentration(rig):
    fw = rig.primed(conc_mcg_per_ml=50)
    d = fw.setup_periodic_bolus(20, 60, 6)
    assert not d.approved and "SR-DOSE-005" in d.requirement_ids
    fw.run_until_s(30 * H)
    assert not [e for e in fw.events if e.kind == "dose" and e.fields["event"] == "bolus_start"]


@req("SR-DOSE-005")
def test_ptm_press_is_refused_at_a_screening_only_concentration_and_a_screening_bolus_is_not(rig):
    fw = rig.primed(conc_mcg_per_ml=50)
    assert fw.configure_ptm(20, 60, 60, 4).approved
    d = fw.press_ptm()
    assert not d.approved and d.requirement_ids == ("SR-DOSE-005",)
    assert fw.clinician_bolus(20, 60).approved and fw.state is S.BOLUS  # the screening bolus itself


@req("SR-BOL-004", "SR-TIT-001")
def test_periodic_bolus_counts_in_the_titration_cap(rig):
    fw = rig.primed()
    assert fw.start_continuous(300).approved
    fw.run_until_s(30 * H)
    d = fw.setup_periodic_bolus(100, 60, 3, override_soft_limits=True)   # 300 -> 1100 mcg/day
    assert not d.approved and "SR-TIT-001" in d.requirement_ids
    assert fw.setup_periodic_bolus(10, 60, 3).approved                   # 300 -> 380 mcg/day: +26.7 %


@req("SR-BOL-004", "SR-DOSE-002")
def test_program_started_next_to_a_periodic_bolus_is_judged_on_the_total_daily_dose(make_rig):
    rig = make_rig(limits=DrugLimits(titration_cap_fraction={Indication.SPINAL: 5.0, Indication.CEREBRAL: 5.0}))
    fw = rig.primed()
    assert fw.setup_periodic_bolus(50, 30, 3).approved                   # 400 mcg/day
    fw.run_until_s(30 * H)
    d = fw.start_continuous(700)                                          # 1100 mcg/day in all
    # soft findings only: the soft maximum, and the plasma level 1100 mcg/day gives (above the 5 ng/mL ceiling)
    assert not d.approved and d.requirement_ids == ("SR-DOSE-002", "SR-DOSE-008") and "1100" in d.reasons[0]
    assert fw.start_continuous(700, override_soft_limits=True).approved


@req("SR-PRM-001")
def test_periodic_bolus_before_priming_is_refused(rig):
    d = rig.firmware.setup_periodic_bolus(20, 10, 6)
    assert not d.approved and "SR-PRM-001" in d.requirement_ids


def _plug_ahead(rig, conc_between, conc_after):
    """500 mcg/mL at the tip, then a plug of conc_between (a bridge stopped half way), then conc_after."""
    fw = rig.primed(conc_mcg_per_ml=500)
    assert fw.start_continuous(480).approved     # 20 mcg/h: 40 uL/h at 500 mcg/mL
    fw.run_until_s(30 * H)
    changed_to(fw, conc_between)
    assert fw.bridge_bolus().approved
    fw.run_until_s(fw.now_s + 3 * H)             # 120 uL of conc_between in the line
    changed_to(fw, conc_after)
    return fw


def _tip_dose_rates_mcg_per_h(rig, hours):
    fw, rates = rig.firmware, []
    for _ in range(int(hours * 4)):
        fw.run_until_s(fw.now_s + 0.25 * H)
        rates.append(rig.actuator.rate_ul_per_h * fw.engine.tip_conc_now() / 1000.0)
    return rates


@req("SR-BOL-005", "SR-SUP-005")
def test_therapy_over_a_plug_of_another_concentration_needs_the_bridge(rig):
    fw = _plug_ahead(rig, 1000, 500)
    for command in (fw.resume, lambda: fw.start_continuous(480)):
        d = command()
        assert not d.approved and d.requirement_ids == ("SR-BOL-005",) and "1000" in d.reasons[0]
    fw.stop()
    assert fw.clinician_bolus(20, 60).requirement_ids == ("SR-BOL-005",)
    d = fw.bridge_bolus(480)
    assert d.approved and fw.state is S.BRIDGE
    rates = _tip_dose_rates_mcg_per_h(rig, 16)
    assert fw.state is S.CONTINUOUS and rates == pytest.approx([20.0] * len(rates))


@req("SR-BOL-005", "SR-SUP-005")
def test_bridge_through_several_concentrations_keeps_the_tip_dose(rig):
    fw = _plug_ahead(rig, 1000, 2000)
    assert fw.bridge_bolus().approved
    rates = _tip_dose_rates_mcg_per_h(rig, 16)
    assert rates == pytest.approx([20.0] * len(rates))
    assert fw.state is S.CONTINUOUS and rig.actuator.rate_ul_per_h == pytest.approx(10.0)
    states = [e.fields["to_state"] for e in fw.events if e.kind == "state"]
    assert states[-2:] == ["bridge", "continuous"]


def _primed_after_an_interruption(rig, first_conc, stall_at_h, then_conc):
    """Fill at first_conc and prime; an alarm stops priming at stall_at_h; refill at then_conc, clear, prime."""
    fw = rig.firmware
    assert fw.refill(20000, first_conc, aspirated_ul=0.0).approved and fw.prime().approved
    fw.run_until_s(stall_at_h * H)
    rig.actuator.fault = "occlusion"
    fw.run_until_s(stall_at_h * H + 180.0)
    assert fw.state is S.ALARM
    rig.actuator.fault = None
    assert fw.refill(10000, then_conc, aspirated_ul=fw.reservoir_volume_ul).approved and fw.clear_alarm().approved
    assert fw.prime().approved
    fw.run_until_s(3 * H)
    assert fw.state is S.IDLE
    return fw


@req("SR-DOSE-006", "SR-BOL-005")
def test_bridge_over_a_dilute_plug_is_judged_at_the_plug_concentration(make_rig):
    """2000 mcg/mL at the tip, 50 mcg/mL (a refill during an interrupted priming) between, 2000 in the reservoir:
    the tip and reservoir agree, but the plug needs 40x the volume rate."""
    rig = make_rig(config=FirmwareConfig(priming_rate_ul_per_h=400.0, max_actuator_rate_ul_per_h=500.0))
    fw = _primed_after_an_interruption(rig, 2000, 0.0, 50)
    assert fw.refill(10000, 2000, aspirated_ul=fw.reservoir_volume_ul).approved
    d = fw.start_continuous(720)
    assert not d.approved and d.requirement_ids == ("SR-BOL-005",) and "50 mcg/mL between" in d.reasons[0]
    d = fw.bridge_bolus(720)                        # 30 mcg/h: 15 uL/h at 2000 mcg/mL, 600 uL/h at 50 mcg/mL
    assert not d.approved and d.requirement_ids == ("SR-DOSE-006",) and "uL/h" in d.reasons[0]
    assert fw.bridge_bolus(480).approved            # 20 mcg/h: 400 uL/h through the plug
    rates = _tip_dose_rates_mcg_per_h(rig, 12)
    assert fw.state is S.CONTINUOUS and rates == pytest.approx([20.0] * len(rates))
    assert max(r for _, r in rig.actuator.commands) == pytest.approx(400.0)


@req("SR-PRM-001", "SR-PRM-002")
def test_priming_again_after_an_interrupted_priming_and_a_refill_stops_when_drug_reaches_the_tip(rig):
    """The first fill's drug is in the line when priming resumes: it must not be pushed into the patient at the
    priming rate (1000 uL/h of 2000 mcg/mL is 2000 mcg/h) on the way to the new fill."""
    fw = _primed_after_an_interruption(rig, 2000, 0.4, 500)   # about 400 uL of the 486 uL line filled
    assert fw.engine.tip_conc_now() == 2000
    assert fw.delivery_profile().total_dose_mcg() == pytest.approx(0.0, abs=1e-6)
    assert fw.commanded_volume_ul == pytest.approx(fw.config.dead_volume_ul)


def _periodic_starts_h(fw, after_s):
    return [e.t_s / H for e in fw.events if e.kind == "dose" and e.fields["event"] == "bolus_start" and e.t_s > after_s]


@req("SR-ALM-001", "SR-BOL-004")
def test_periodic_boluses_do_not_restart_when_an_alarm_is_cleared(rig):
    """Like a basal program, periodic boluses are kept suspended after an alarm until an explicit resume."""
    fw = rig.primed()
    assert fw.setup_periodic_bolus(20, 30, 6).approved            # first run 6 h after set-up
    rig.actuator.fault = "occlusion"
    fw.run_until_s(fw.now_s + 0.5 * H)
    assert fw.state is S.ALARM
    rig.actuator.fault = None
    cleared_s = fw.now_s
    assert fw.clear_alarm().approved and fw.state is S.SUSPENDED
    fw.run_until_s(cleared_s + 24 * H)
    assert _periodic_starts_h(fw, cleared_s) == []
    resumed_s = fw.now_s
    assert fw.resume().approved and fw.state is S.IDLE
    fw.run_until_s(resumed_s + 12 * H)
    assert len(_periodic_starts_h(fw, resumed_s)) == 2


@req("SR-BOL-004")
def test_periodic_boluses_alone_resume_after_a_suspend(rig):
    fw = rig.primed()
    assert fw.setup_periodic_bolus(20, 30, 6).approved
    fw.run_until_s(fw.now_s + 6 * H + 60)
    assert fw.state is S.BOLUS and fw.suspend().approved and fw.state is S.SUSPENDED
    assert fw.resume().approved and fw.state is S.IDLE
    t_s = fw.now_s
    fw.run_until_s(t_s + 6 * H)
    assert len(_periodic_starts_h(fw, t_s)) == 1


@req("SR-PTM-003")
def test_ptm_reconfigured_to_a_smaller_dose_cannot_reach_more_than_the_ptm_dose_per_24h(rig):
    """Four 50 mcg presses (the library's 200 mcg per 24 h), then PTM set to 25 mcg: the next press would be 225 mcg
    of PTM drug in 24 h, not five times 25."""
    fw = rig.primed(conc_mcg_per_ml=500)
    assert fw.start_continuous(100).approved
    assert fw.configure_ptm(50, 30, 60, 4).approved
    t_s = fw.now_s
    for _ in range(4):
        t_s += 3700.0
        fw.run_until_s(t_s)
        assert fw.press_ptm().approved
    t_s += 3700.0
    fw.run_until_s(t_s)
    assert fw.configure_ptm(25, 30, 60, 8).approved
    t_s += 3700.0
    fw.run_until_s(t_s)
    d = fw.press_ptm()
    assert not d.approved and d.requirement_ids == ("SR-PTM-003",) and "225 mcg" in d.reasons[0]
    given = [e for e in fw.events if e.kind == "dose" and e.fields["event"] == "bolus_start"]
    assert len(given) == 4
    fw.run_until_s(fw.now_s + 24 * H)  # the 50 mcg presses have left the window: a 25 mcg press is allowed again
    assert fw.press_ptm().approved


@req("SR-BOL-007")
def test_screening_boluses_are_at_least_the_librarys_interval_apart(rig):
    """Label: screening boluses at least 24 h apart (50 -> 75 -> 100 mcg); a clinician's bolus at a therapy
    concentration is not a screening bolus."""
    fw = rig.primed(conc_mcg_per_ml=50)
    start_s = fw.now_s
    assert fw.clinician_bolus(50, 90).approved
    fw.run_until_s(start_s + 4 * H)
    d = fw.clinician_bolus(75, 120)
    assert not d.approved and d.requirement_ids == ("SR-BOL-007",) and "24 h apart" in d.reasons[0]
    fw.run_until_s(start_s + 24 * H)
    assert fw.clinician_bolus(75, 120).approved


@req("SR-BOL-007")
def test_clinician_boluses_at_a_therapy_concentration_are_not_screening_boluses(rig):
    fw = rig.primed(conc_mcg_per_ml=500)
    start_s = fw.now_s
    assert fw.clinician_bolus(50, 90).approved
    fw.run_until_s(start_s + 4 * H)
    assert fw.clinician_bolus(50, 90).approved


@req("SR-BOL-007")
def test_the_screening_interval_comes_from_the_limits(make_rig):
    fw = make_rig(limits=DrugLimits(screening_min_interval_h=6.0)).primed(conc_mcg_per_ml=50)
    start_s = fw.now_s
    assert fw.clinician_bolus(50, 90).approved
    fw.run_until_s(start_s + 5 * H)
    assert not fw.clinician_bolus(50, 90).approved
    fw.run_until_s(start_s + 6 * H)
    assert fw.clinician_bolus(50, 90).approved


@req("SR-DOSE-002")
def test_a_cerebral_origin_patients_soft_maximum_is_the_librarys_cerebral_one(make_rig):
    """Label: cerebral-origin maintenance 90-703 mcg/day; 750 mcg/day needs the override for such a patient only."""
    cerebral = make_rig(config=FirmwareConfig(indication=Indication.CEREBRAL)).primed()
    d = cerebral.start_continuous(750)
    assert not d.approved and d.requirement_ids == ("SR-DOSE-002",)
    assert "cerebral-origin soft maximum 703" in d.reasons[0]
    assert cerebral.start_continuous(750, override_soft_limits=True).approved
    assert make_rig().primed().start_continuous(750).approved  # spinal: 800
