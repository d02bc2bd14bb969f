import dataclasses

import numpy as np
import pytest

from firmware_sim.outcome import Outcome, combine
from firmware_sim.pk.envelopes import (ENVELOPE_NAMES, AgeGroup, EnvelopeLimits, EnvelopeResult,
                                       cisternal_csf_envelope, evaluate_envelopes,
                                       lumbar_csf_envelope, plasma_ceiling_envelope, plasma_reduction_envelope)
from firmware_sim.pk.oral import OralRegimen, oral_steady_state_peak_plasma_ng_per_ml
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.predict import predict
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment, InstantBolus
from firmware_sim.requirements import REQUIREMENTS

T = np.linspace(0.0, 48.0, 97)


def regimen(rate_mcg_per_day=0.0, bolus_mcg=0.0, hours=48.0):
    segments = []
    if bolus_mcg:
        segments.append(InfusionSegment(0.0, 1 / 60, bolus_mcg * 60))
    if rate_mcg_per_day:
        segments.append(InfusionSegment(0.0, hours, rate_mcg_per_day / 24))
    return predict(DeliveryProfile(segments=tuple(segments)), T)


def test_oral_reference_single_dose_and_steady_state():
    single = oral_steady_state_peak_plasma_ng_per_ml(
        regimen=OralRegimen(dose_mg=10.0, n_doses_to_steady_state=1, interval_h=24.0)
    )
    assert single == pytest.approx(151.0, rel=0.02)     # observed 139-141 ng/mL at 10 mg
    assert 300.0 < oral_steady_state_peak_plasma_ng_per_ml(regimen=OralRegimen(interval_h=8.0)) < 450.0


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003", "SR-PK-004")
def test_typical_regimen_passes_every_envelope_with_ids():
    results = evaluate_envelopes(regimen(500.0, 50.0))
    assert [r.outcome for r in results] == [Outcome.PASS] * 4
    for r in results:
        assert r.requirement_ids and all(i in REQUIREMENTS for i in r.requirement_ids) and r.reason
    ratio = results[0]
    assert ratio.value == pytest.approx(
        ratio.details["oral_peak_plasma_ng_per_ml"] / ratio.details["intrathecal_peak_plasma_ng_per_ml"]
    )


@pytest.mark.requirements("SR-PK-001")
def test_plasma_reduction_fails_at_high_dose_and_limit_is_configurable():
    high = regimen(2000.0)
    result = plasma_reduction_envelope(high)
    assert result.outcome is Outcome.FAIL and result.value < 100 and "<" in result.reason
    relaxed = plasma_reduction_envelope(high, EnvelopeLimits(plasma_reduction_min_ratio=20.0))
    assert relaxed.outcome is Outcome.PASS and relaxed.value == pytest.approx(result.value)


@pytest.mark.requirements("SR-PK-002")
def test_plasma_ceiling_depends_on_age_group():
    p = regimen(1500.0)   # plasma approaches 7.8 ng/mL
    assert plasma_ceiling_envelope(p, AgeGroup.ADULT).outcome is Outcome.FAIL
    assert plasma_ceiling_envelope(p, AgeGroup.PEDIATRIC).outcome is Outcome.PASS
    assert EnvelopeLimits().age_group(12.0) is AgeGroup.PEDIATRIC and EnvelopeLimits().age_group(30.0) is AgeGroup.ADULT


@pytest.mark.requirements("SR-PK-003", "SR-PK-004")
def test_csf_ceilings_catch_a_refill_error_bolus():
    p = regimen(bolus_mcg=1000.0)
    assert lumbar_csf_envelope(p).outcome is Outcome.FAIL
    cis = cisternal_csf_envelope(p)
    assert cis.outcome is Outcome.FAIL and cis.value > 750.0 and "exceeds" in cis.reason
    assert cisternal_csf_envelope(p, EnvelopeLimits(cisternal_csf_ceiling_ng_per_ml=5000.0)).outcome is Outcome.PASS


@pytest.mark.requirements("SR-PK-005")
def test_peak_between_coarse_samples_is_not_missed():
    profile = DeliveryProfile(segments=(InfusionSegment(0.0, 1 / 60, 3000.0),))
    coarse = predict(profile, np.array([0.0, 6.0, 12.0]))        # samples miss the effect peak near 3 h
    dense = predict(profile, np.linspace(0, 12, 12 * 600 + 1))
    for name in ("effect_ng_per_ml", "cisternal_csf_ng_per_ml", "plasma_ng_per_ml", "lumbar_csf_ng_per_ml"):
        assert coarse.series(name).max() < coarse.peaks[name].value or name == "lumbar_csf_ng_per_ml"
        assert coarse.peaks[name].value == pytest.approx(dense.series(name).max(), rel=1e-6)
        assert coarse.peaks[name].value >= dense.series(name).max() * (1 - 1e-9)


def test_limits_validation():
    with pytest.raises(ValueError, match="lumbar_csf_ceiling_ng_per_ml"):
        EnvelopeLimits(lumbar_csf_ceiling_ng_per_ml=0.0)
    with pytest.raises(ValueError, match="biophase_fast_fraction"):
        dataclasses.replace(BaclofenParams(), biophase_fast_fraction=1.5)


@pytest.mark.requirements("SR-PK-001")
def test_default_comparator_is_the_maximum_labelled_oral_regimen_and_results_name_it():
    limits = EnvelopeLimits()
    assert limits.oral_regimen.daily_dose_mg == pytest.approx(80.0) and limits.oral_regimen.dose_mg == 20.0
    expected = "oral baclofen 20 mg four times a day (80 mg/day), steady state"
    result = plasma_reduction_envelope(regimen(500.0))
    assert result.comparator == expected and expected in result.reason
    assert result.to_dict()["comparator"] == expected
    assert all(r.comparator is None for r in evaluate_envelopes(regimen(500.0))[1:])
    # configurable: another named regimen is used and named
    tid = OralRegimen(dose_mg=10.0, interval_h=8.0)
    other = plasma_reduction_envelope(regimen(500.0), EnvelopeLimits(oral_regimen=tid))
    assert other.comparator == "oral baclofen 10 mg three times a day (30 mg/day), steady state"
    assert other.value < result.value
    assert OralRegimen(interval_h=5.0).description.startswith("oral baclofen 20 mg every 5 h (96 mg/day)")


def nothing_reaches_the_tip():
    yield DeliveryProfile()                                                        # nothing at all
    yield DeliveryProfile(segments=(InfusionSegment(0.0, 48.0, 0.0),))            # a zero rate
    yield DeliveryProfile(segments=(InfusionSegment(60.0, 10.0, 20.0),),          # all after the horizon
                          instant_boluses=(InstantBolus(49.0, 50.0), InstantBolus(3.0, 0.0)))
    yield DeliveryProfile(instant_boluses=(InstantBolus(1.0, 0.05),))              # balance noise, not a dose


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003", "SR-PK-004")
@pytest.mark.parametrize("profile", list(nothing_reaches_the_tip()),
                         ids=["empty", "zero_rate", "after_horizon", "below_min_dose"])
def test_nothing_delivered_is_not_evaluated_for_every_envelope(profile):
    results = evaluate_envelopes(predict(profile, T))
    assert [r.name for r in results] == list(ENVELOPE_NAMES)
    for r in results:
        assert r.outcome is Outcome.NOT_EVALUATED and not r.passed and r.value is None
        assert "no drug reached the catheter tip" in r.reason
        assert r.to_dict()["outcome"] == "NOT_EVALUATED" and r.to_dict()["passed"] is False
    assert combine(r.outcome for r in results) is Outcome.NOT_EVALUATED


@pytest.mark.requirements("SR-PK-001")
def test_ratio_without_plasma_exposure_is_not_evaluated_not_an_infinite_pass():
    # a bolus given exactly at the end of the horizon: the lumbar CSF sees it, plasma has nothing yet
    p = predict(DeliveryProfile(instant_boluses=(InstantBolus(48.0, 50.0),)), T)
    ratio, plasma, lumbar, _ = evaluate_envelopes(p)
    assert ratio.outcome is Outcome.NOT_EVALUATED and ratio.value is None and "no finite ratio" in ratio.reason
    assert plasma.outcome is Outcome.PASS and plasma.value == 0.0
    assert lumbar.outcome is Outcome.PASS and lumbar.value > 0


def test_no_pass_or_fail_carries_a_non_finite_value():
    for outcome in (Outcome.PASS, Outcome.FAIL):
        for value in (float("inf"), float("nan"), None):
            with pytest.raises(ValueError, match="finite value"):
                EnvelopeResult("x", value, 1.0, "ratio", outcome, "r", ("SR-PK-001",))
    with pytest.raises(ValueError, match="no value"):
        EnvelopeResult("x", 3.0, 1.0, "ratio", Outcome.NOT_EVALUATED, "r", ("SR-PK-001",))
    with pytest.raises(ValueError, match="PASS, FAIL or NOT_EVALUATED"):
        EnvelopeResult("x", 3.0, 1.0, "ratio", Outcome.ERROR, "r", ("SR-PK-001",))


def test_combine_never_makes_a_verdict_better_than_its_parts():
    P, F, E, N = Outcome.PASS, Outcome.FAIL, Outcome.ERROR, Outcome.NOT_EVALUATED
    assert combine([P, P]) is P
    assert combine([P, N]) is N and combine([N, N]) is N and combine([]) is N
    assert combine([N, F, P]) is F and combine([F, E]) is E and combine(["PASS", "FAIL"]) is F
    assert Outcome.PASS == "PASS" and Outcome.PASS.passed and not Outcome.NOT_EVALUATED.passed


def test_the_smallest_dose_an_envelope_judges_is_configurable():
    p = predict(DeliveryProfile(instant_boluses=(InstantBolus(1.0, 0.05),)), T)
    assert plasma_ceiling_envelope(p).outcome is Outcome.NOT_EVALUATED
    finer = EnvelopeLimits(min_dose_to_evaluate_mcg=0.01)
    assert [r.outcome for r in evaluate_envelopes(p, limits=finer)] == [Outcome.PASS] * 4
    at_minimum = predict(DeliveryProfile(instant_boluses=(InstantBolus(1.0, 0.1),)), T)
    assert [r.outcome for r in evaluate_envelopes(at_minimum)] == [Outcome.PASS] * 4
