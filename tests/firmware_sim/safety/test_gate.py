"""Per-limit tests of the pure gate: each names the requirement it verifies."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from firmware_sim.safety import checks, gate
from firmware_sim.safety.decision import Finding, decide
from firmware_sim.safety.limits import DrugLimits, Indication
from firmware_sim.safety.window import DoseHistory, RatePiece

req = pytest.mark.requirements
LIMITS = DrugLimits()
H = 3600.0


def ctx(planned=(), history=None, now_s=0.0, peak_ul_per_h=10.0, findings=()):
    return gate.GateContext(now_s, history or DoseHistory.empty(now_s), tuple(planned), 500.0, 1000.0,
                            peak_ul_per_h, tuple(findings))


def titration(reference=None, last=None, indication=Indication.SPINAL):
    return gate.TitrationContext(indication, reference, last)


def therapy(daily, **kw):
    planned = [RatePiece(0.0, 48 * H, daily / 24.0)]
    return gate.gate_therapy("start_continuous", daily, daily / 24.0, ctx(planned), kw.pop("tit", titration()),
                             LIMITS, **kw)


@req("SR-DOSE-001")
def test_hard_daily_maximum_rejects_even_with_override():
    d = therapy(1300, override_soft_limits=True)
    assert not d.approved and "SR-DOSE-001" in d.requirement_ids and "1300" in d.reasons[0]


@req("SR-DOSE-002")
def test_soft_daily_maximum_needs_and_records_override():
    d = therapy(900)
    assert not d.approved and d.requirement_ids == ("SR-DOSE-002",)
    d = therapy(900, override_soft_limits=True)
    assert d.approved and "SR-DOSE-002" in d.overridden[0]
    assert therapy(800).approved and therapy(800).overridden == ()


@req("SR-DOSE-003")
def test_window_counts_delivered_plus_planned():
    # 1000 mcg delivered in the last 2 h; with 250 mcg/day and a 50 mcg bolus the window from 22 h holds 1279 mcg
    history = DoseHistory(np.array([0.0, 22 * H, 24 * H]), np.array([0.0, 0.0, 1000.0]))
    planned = [RatePiece(24 * H, 72 * H, 250 / 24.0)]
    d = gate.gate_bolus("clinician_bolus", 50, 60, ctx(planned + [RatePiece(24 * H, 25 * H, 50)], history, 24 * H),
                        LIMITS)
    assert not d.approved and d.requirement_ids == ("SR-DOSE-003",)
    history = DoseHistory(np.array([0.0, 22 * H, 24 * H]), np.array([0.0, 0.0, 800.0]))
    assert gate.gate_bolus("clinician_bolus", 50, 60, ctx(planned + [RatePiece(24 * H, 25 * H, 50)], history, 24 * H),
                           LIMITS).approved


@req("SR-DOSE-004")
def test_refill_concentration_must_be_in_library():
    d = gate.gate_refill(10000, 750, 0, 0, 20000, 1000, [], LIMITS)
    assert not d.approved and d.requirement_ids == ("SR-DOSE-004",) and "750" in d.reasons[0]
    for conc in (50, 500, 1000, 2000):
        assert gate.gate_refill(10000, conc, 0, 0, 20000, 1000, [], LIMITS).approved


@req("SR-DOSE-005")
def test_screening_concentration_not_for_continuous():
    c = gate.GateContext(0.0, DoseHistory.empty(0.0), (RatePiece(0, H, 1),), 50.0, 1000.0, 1.0)
    d = gate.gate_therapy("start_continuous", 24, 1, c, titration(), LIMITS)
    assert not d.approved and "SR-DOSE-005" in d.requirement_ids


@req("SR-DOSE-006")
def test_maximum_drug_rate_and_actuator_rate():
    d = gate.gate_bolus("clinician_bolus", 50, 10, ctx([RatePiece(0, 600, 300)]), LIMITS)
    assert not d.approved and "SR-DOSE-006" in d.requirement_ids and "mcg/h" in d.reasons[0]
    d = gate.gate_bolus("clinician_bolus", 50, 60, ctx([RatePiece(0, H, 50)], peak_ul_per_h=5000), LIMITS)
    assert not d.approved and "uL/h" in d.reasons[0]


@req("SR-DOSE-007")
@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0, 0.0])
def test_bad_numbers_are_rejected_naming_the_field(bad):
    d = gate.gate_bolus("clinician_bolus", bad, 10, ctx(), LIMITS)
    assert not d.approved and "dose_mcg" in d.reasons[0] and d.requirement_ids == ("SR-DOSE-007",)
    d = gate.gate_refill(bad, 500, 0, 0, 20000, 1000, [], LIMITS)
    assert not d.approved and "volume_ul" in d.reasons[0]


@req("SR-BOL-001")
def test_maximum_bolus():
    d = gate.gate_bolus("clinician_bolus", 101, 60, ctx([RatePiece(0, H, 101)]), LIMITS)
    assert not d.approved and d.requirement_ids == ("SR-BOL-001",)
    assert gate.gate_bolus("clinician_bolus", 100, 60, ctx([RatePiece(0, H, 100)]), LIMITS).approved


@req("SR-BOL-002")
def test_minimum_bolus_duration():
    d = gate.gate_bolus("clinician_bolus", 1, 0.5, ctx([RatePiece(0, 30, 120)]), LIMITS)
    assert not d.approved and d.requirement_ids == ("SR-BOL-002",)


@req("SR-BOL-004")
def test_periodic_bolus_projected_daily_dose_and_fit():
    planned = [RatePiece(0, 48 * H, 700 / 24)]
    d = gate.gate_periodic_bolus(50, 30, 6, 700, ctx(planned), LIMITS)   # 700 + 4 x 50 = 900 > soft 800
    assert not d.approved and "SR-DOSE-002" in d.requirement_ids
    d = gate.gate_periodic_bolus(50, 120, 1, 0, ctx(), LIMITS)
    assert not d.approved and "SR-BOL-004" in d.requirement_ids


SETTINGS = gate.PtmSettings(dose_mcg=20, duration_min=10, lockout_min=60, max_count_per_24h=4)


def press(times, now_s, settings=SETTINGS, earlier_dose_mcg=None):
    """Earlier presses at `times`, each of settings.dose_mcg unless earlier_dose_mcg says otherwise."""
    dose_mcg = settings.dose_mcg if earlier_dose_mcg is None else earlier_dose_mcg
    presses = [gate.PtmPress(t, dose_mcg) for t in times]
    return gate.gate_ptm_press(settings, presses, ctx([RatePiece(now_s, now_s + 600, 120)], now_s=now_s), LIMITS)


@req("SR-PTM-001")
def test_ptm_lockout():
    d = press([0.0], 59 * 60)
    assert not d.approved and d.requirement_ids == ("SR-PTM-001",)
    assert press([0.0], 60 * 60).approved


@req("SR-PTM-001")
def test_ptm_lockout_ends_on_time_late_in_a_long_run_and_not_10_us_early():
    last_s = 2.0**25 - 1000.0 + 0.3  # about 388 days: float seconds resolve to 4e-9 s, after 2**25 s to 7e-9 s
    now_s = 2.0**25 + 2600.0 + 0.3  # one hour later
    assert now_s - last_s < 3600.0  # the interval itself carries rounding
    assert press([last_s], now_s).approved
    assert not press([last_s], now_s - 1e-5).approved


def test_limit_comparisons_allow_float_rounding_only():
    assert not checks.exceeds(1200.0 * (1 + 1e-14), 1200.0) and checks.exceeds(1200.000001, 1200.0)
    assert not checks.falls_short(5.0 * (1 - 1e-14), 5.0) and checks.falls_short(4.99999, 5.0)
    assert checks.exceeds(1e-9, 0.0)  # nothing is allowed above a zero limit


@req("SR-PTM-002")
def test_ptm_count_per_24h():
    times = [0.0, 2 * H, 4 * H, 6 * H]
    d = press(times, 8 * H)
    assert not d.approved and "SR-PTM-002" in d.requirement_ids
    assert press(times, 24 * H + 1).approved  # the first press left the window


@req("SR-PTM-003")
def test_ptm_dose_per_24h():
    big = gate.PtmSettings(dose_mcg=80, duration_min=30, lockout_min=60, max_count_per_24h=4)
    d = press([0.0, 2 * H], 4 * H, big)
    assert not d.approved and "SR-PTM-003" in d.requirement_ids


@req("SR-PTM-003")
def test_ptm_dose_per_24h_counts_what_each_earlier_press_gave_not_todays_setting():
    small = gate.PtmSettings(dose_mcg=25, duration_min=30, lockout_min=60, max_count_per_24h=8)
    d = press([0.0, 2 * H, 4 * H, 6 * H], 8 * H, small, earlier_dose_mcg=50)  # 4 x 50 given, + 25 > 200
    assert not d.approved and d.requirement_ids == ("SR-PTM-003",)
    assert "225 mcg (4 earlier press(es) 200 mcg, this one 25 mcg)" in d.reasons[0]
    larger = gate.PtmSettings(dose_mcg=60, duration_min=30, lockout_min=60, max_count_per_24h=8)
    assert press([0.0, 2 * H], 4 * H, larger, earlier_dose_mcg=20).approved  # 2 x 20 + 60 = 100: not 3 x 60


@req("SR-PTM-004")
def test_ptm_settings_within_library_and_press_needs_settings():
    d = gate.gate_ptm_settings(gate.PtmSettings(20, 10, 10, 4), [], LIMITS)
    assert not d.approved and d.requirement_ids == ("SR-PTM-004",) and "lockout" in d.reasons[0]
    d = gate.gate_ptm_settings(gate.PtmSettings(20, 10, 60, 20), [], LIMITS)
    assert not d.approved and "maximum 20" in d.reasons[0]
    d = gate.gate_ptm_press(None, [], ctx(), LIMITS)
    assert not d.approved and "no PTM bolus is configured" in d.reasons[0]


@req("SR-DOSE-006")
def test_ptm_bolus_above_the_drug_rate_is_refused_at_setup_and_press():
    d = gate.gate_ptm_settings(gate.PtmSettings(20, 5, 60, 4), [], LIMITS)    # 240 mcg/h > 200 mcg/h
    assert not d.approved and d.requirement_ids == ("SR-DOSE-006",)
    on_basal = [RatePiece(0.0, 24 * H, 100), RatePiece(0.0, 600, 120)]       # 120 mcg/h bolus on 100 mcg/h basal
    d = gate.gate_ptm_press(SETTINGS, [], ctx(on_basal), LIMITS)
    assert not d.approved and "SR-DOSE-006" in d.requirement_ids


@req("SR-DOSE-006")
def test_bolus_overlapping_a_later_rate_step_is_checked_at_the_peak():
    planned = [RatePiece(0.0, H, 10), RatePiece(H, 2 * H, 150), RatePiece(2 * H, 24 * H, 10),
               RatePiece(-60, H - 60 + 3600, 60)]    # a 60 mcg/h bolus started at 0:59 runs into the 150 mcg/h step
    d = gate.gate_bolus("clinician_bolus", 60, 60, ctx(planned), LIMITS)
    assert not d.approved and "SR-DOSE-006" in d.requirement_ids and "210" in " ".join(d.reasons)


@req("SR-TIT-001")
@pytest.mark.parametrize("indication,ok_daily,bad_daily", [(Indication.SPINAL, 130, 131),
                                                          (Indication.CEREBRAL, 115, 116)])
def test_titration_cap_by_indication(indication, ok_daily, bad_daily):
    tit = titration(100, -25 * H, indication)
    assert therapy(ok_daily, tit=tit).approved
    d = therapy(bad_daily, tit=tit)
    assert not d.approved and d.requirement_ids == ("SR-TIT-001",)


@req("SR-TIT-001")
@pytest.mark.parametrize("indication", list(Indication))
def test_a_childs_titration_is_capped_at_the_pediatric_cap_whatever_the_indication(indication):
    child = gate.TitrationContext(indication, 100, -25 * H, pediatric=True)
    assert therapy(115, tit=child).approved
    d = therapy(116, tit=child)
    assert not d.approved and d.requirement_ids == ("SR-TIT-001",) and "cap 15%" in d.reasons[0]
    if indication is Indication.SPINAL:  # the pediatric cap is the lower one, and the reason says so
        assert "exceeds the pediatric cap 15%" in d.reasons[0]
    unset = DrugLimits(pediatric_titration_cap_fraction=None)  # the library sets none: the indication's cap
    spinal_child = gate.TitrationContext(Indication.SPINAL, 100, -25 * H, pediatric=True)
    plan = [RatePiece(0.0, 48 * H, 130 / 24.0)]
    assert gate.gate_therapy("start_continuous", 130, 130 / 24.0, ctx(plan), spinal_child, unset).approved


@req("SR-TIT-002")
def test_one_increase_per_24h_and_decreases_always_allowed():
    d = therapy(110, tit=titration(100, -23 * H))
    assert not d.approved and d.requirement_ids == ("SR-TIT-002",)
    assert therapy(90, tit=titration(100, -1 * H)).approved


@req("SR-RES-004")
def test_refill_over_capacity():
    d = gate.gate_refill(20001, 500, 0, 0, 20000, 1000, [], LIMITS)
    assert not d.approved and d.requirement_ids == ("SR-RES-004",)


@req("SR-RES-005")
@pytest.mark.parametrize("aspirated,word", [(3000, "over-infusion"), (7000, "under-infusion")])
def test_refill_mismatch_needs_override(aspirated, word):
    d = gate.gate_refill(10000, 500, aspirated, 5000, 20000, 1000, [], LIMITS)
    assert not d.approved and word in d.reasons[0] and d.requirement_ids == ("SR-RES-005",)
    d = gate.gate_refill(10000, 500, aspirated, 5000, 20000, 1000, [], LIMITS, override_mismatch=True)
    assert d.approved and "SR-RES-005" in d.overridden[0]


def test_decide_never_clips_and_lists_all_reasons():
    d = decide("x", [Finding("SR-A-1", "a"), Finding("SR-B-1", "b", soft=True)])
    assert not d.approved and d.reasons == ("a [SR-A-1]", "b [SR-B-1]")
    assert decide("x", [Finding("SR-A-1", "a")], override_soft_limits=True).approved is False


def test_limits_validate_their_values():
    with pytest.raises(ValueError, match="soft_max_daily_dose_mcg"):
        DrugLimits(soft_max_daily_dose_mcg=2000, hard_max_daily_dose_mcg=1000)
    with pytest.raises(ValueError, match="screening_only"):
        DrugLimits(screening_only_conc_mcg_per_ml=(25.0,))
    assert checks.check_number("x_ul", 1.0) == []


@req("SR-DOSE-007")
@pytest.mark.parametrize("count", [2.5, "4", True])
def test_ptm_count_must_be_a_whole_number(count):
    d = gate.gate_ptm_settings(gate.PtmSettings(20, 10, 60, count), [], LIMITS)
    assert not d.approved and d.requirement_ids == ("SR-DOSE-007",) and "whole number" in d.reasons[0]


@req("SR-DOSE-006")
def test_a_context_copied_with_another_plan_judges_that_plans_peak_rate():
    quiet = ctx([RatePiece(0, 600, 1)])
    assert gate.gate_bolus("clinician_bolus", 50, 10, quiet, LIMITS).approved
    busy = dataclasses.replace(quiet, planned_if_approved=(RatePiece(0, 600, 300),))
    assert busy.planned_peak_rate_mcg_per_h == 300
    d = gate.gate_bolus("clinician_bolus", 50, 10, busy, LIMITS)
    assert not d.approved and "SR-DOSE-006" in d.requirement_ids and "mcg/h" in d.reasons[0]


@req("SR-DOSE-006")
def test_a_peak_rate_the_caller_computed_is_the_one_judged():
    assert ctx([RatePiece(0, 600, 1)]).planned_peak_rate_mcg_per_h == 1
    given = gate.GateContext(0.0, DoseHistory.empty(0.0), (RatePiece(0, 600, 1),), 500.0, 1000.0, 10.0, (), None,
                             None, known_planned_peak_rate_mcg_per_h=300.0)
    assert given.planned_peak_rate_mcg_per_h == 300
    d = gate.gate_bolus("clinician_bolus", 50, 10, given, LIMITS)
    assert not d.approved and "SR-DOSE-006" in d.requirement_ids


@req("SR-DOSE-003")
@pytest.mark.filterwarnings("error")  # and no numpy overflow warning reaches the user
def test_a_window_dose_that_overflows_the_arithmetic_is_refused_not_passed():
    """Rates near the float maximum make the window sum inf - inf = nan; nan > limit is False, so the check used to
    find nothing and the hard-maximum reason was missing."""
    planned = [RatePiece(0.0, 48 * H, 1e308 / 24.0), RatePiece(H, 2 * H, 1e308)]
    findings = checks.check_window(DoseHistory.empty(0.0), planned, LIMITS)
    assert [f.requirement_id for f in findings] == ["SR-DOSE-003"]
    assert "not a finite number" in findings[0].reason
