import dataclasses

import numpy as np
import pytest

from firmware_sim.pk.envelopes import (AgeGroup, EnvelopeLimits, Verdict, cisternal_csf_envelope, evaluate_envelopes,
                                       lumbar_csf_envelope, plasma_ceiling_envelope, plasma_reduction_envelope)
from firmware_sim.pk.oral import OralRegimen, oral_steady_state_peak_plasma_ng_per_ml
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.predict import predict
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
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
    single = oral_steady_state_peak_plasma_ng_per_ml(regimen=OralRegimen(dose_mg=10.0, doses_to_steady_state=1, interval_h=24.0))
    assert single == pytest.approx(151.0, rel=0.02)     # observed 139-141 ng/mL at 10 mg
    assert 300.0 < oral_steady_state_peak_plasma_ng_per_ml() < 450.0


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003", "SR-PK-004")
def test_typical_regimen_passes_every_envelope_with_ids():
    results = evaluate_envelopes(regimen(500.0, 50.0))
    assert [r.verdict for r in results] == [Verdict.PASS] * 4
    for r in results:
        assert r.requirement_ids and all(i in REQUIREMENTS for i in r.requirement_ids) and r.reason
    ratio = results[0]
    assert ratio.value == pytest.approx(ratio.details["oral_peak_plasma_ng_per_ml"] / ratio.details["intrathecal_peak_plasma_ng_per_ml"])


@pytest.mark.requirements("SR-PK-001")
def test_plasma_reduction_fails_at_high_dose_and_limit_is_configurable():
    high = regimen(2000.0)
    result = plasma_reduction_envelope(high)
    assert result.verdict is Verdict.FAIL and result.value < 100 and "<" in result.reason
    relaxed = plasma_reduction_envelope(high, EnvelopeLimits(plasma_reduction_min_ratio=20.0))
    assert relaxed.verdict is Verdict.PASS and relaxed.value == pytest.approx(result.value)


@pytest.mark.requirements("SR-PK-002")
def test_plasma_ceiling_depends_on_age_group():
    p = regimen(1500.0)   # plasma approaches 7.8 ng/mL
    assert plasma_ceiling_envelope(p, AgeGroup.ADULT).verdict is Verdict.FAIL
    assert plasma_ceiling_envelope(p, AgeGroup.PEDIATRIC).verdict is Verdict.PASS
    assert EnvelopeLimits().age_group(12.0) is AgeGroup.PEDIATRIC and EnvelopeLimits().age_group(30.0) is AgeGroup.ADULT


@pytest.mark.requirements("SR-PK-003", "SR-PK-004")
def test_csf_ceilings_catch_a_refill_error_bolus():
    p = regimen(bolus_mcg=1000.0)
    assert lumbar_csf_envelope(p).verdict is Verdict.FAIL
    cis = cisternal_csf_envelope(p)
    assert cis.verdict is Verdict.FAIL and cis.value > 750.0 and "exceeds" in cis.reason
    assert cisternal_csf_envelope(p, EnvelopeLimits(cisternal_csf_ceiling_ng_per_ml=5000.0)).verdict is Verdict.PASS


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
