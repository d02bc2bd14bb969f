import dataclasses

import numpy as np
import pytest

from firmware_sim.outcome import Outcome
from firmware_sim.pk.envelopes import EnvelopeLimits, evaluate_envelopes
from firmware_sim.pk.oral import OralRegimen, oral_steady_state_peak_plasma_ng_per_ml
from firmware_sim.pk.population import sample_population
from firmware_sim.pk.population_verdict import MAX_PATIENTS, envelope_values, evaluate_population
from firmware_sim.pk.predict import predict
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment, InstantBolus
from firmware_sim.pk.withdrawal import RUN_ENVELOPE_NAMES

INFUSION_800 = DeliveryProfile(segments=(InfusionSegment(0.0, 48.0, 800.0 / 24.0),))
HOURLY_48 = np.arange(49, dtype=float)
# Peaks between the hourly grid points: boluses at odd times, a rate change mid-hour, a short infusion bolus.
BUMPY = DeliveryProfile(segments=(InfusionSegment(0.0, 30.0, 12.0), InfusionSegment(7.37, 0.4, 150.0),
                                  InfusionSegment(12.5, 10.0, 30.0)),
                        instant_boluses=(InstantBolus(2.21, 60.0), InstantBolus(19.9, 40.0)))


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003", "SR-PK-004", "SR-PK-005")
@pytest.mark.parametrize("profile", [INFUSION_800, BUMPY], ids=["infusion", "bumpy"])
def test_each_patient_value_is_its_single_patient_envelope_value(profile):
    """The vectorised per-patient peaks (1 h grid + refinement) equal predict()'s 1-min grid true peaks."""
    batch = sample_population(40, seed=3)
    values = envelope_values(profile, batch, 30.0, EnvelopeLimits(), extra_points_h=HOURLY_48[:31])
    for i in (0, 7, 19, 33):
        for e in evaluate_envelopes(predict(profile, HOURLY_48[:31], batch.patient(i))):
            assert values[e.name][i] == pytest.approx(e.value, rel=1e-9), (e.name, i)


@pytest.mark.requirements("SR-PK-001")
def test_oral_comparator_is_each_patients_own_peak():
    batch = sample_population(5, seed=8)
    regimen = OralRegimen(dose_mg=15.0, interval_h=8.0)
    limits = EnvelopeLimits(oral_regimen=regimen)
    values = envelope_values(INFUSION_800, batch, 48.0, limits)
    for i in range(5):
        oral = oral_steady_state_peak_plasma_ng_per_ml(batch.patient(i), regimen)
        assert values["plasma_reduction_vs_oral"][i] * values["plasma_ceiling"][i] == pytest.approx(oral, rel=1e-9)


@pytest.mark.requirements("SR-PK-002", "SR-PK-005")
def test_800_mcg_per_day_fails_the_plasma_ceiling_for_the_population():
    """The typical patient passes (4.17 ng/mL) but p95 is ~6.8 ng/mL: far fewer than 95 % are within 5 ng/mL."""
    typical = evaluate_envelopes(predict(INFUSION_800, HOURLY_48))
    assert typical[1].name == "plasma_ceiling" and typical[1].outcome is Outcome.PASS
    verdict = evaluate_population(INFUSION_800, count=1000, seed=1, horizon_h=48.0)
    ceiling = verdict.envelope("plasma_ceiling")
    assert ceiling.outcome is Outcome.FAIL and verdict.outcome is Outcome.FAIL
    assert ceiling.p95 > 6.0 > 5.0 >= ceiling.limit and ceiling.p5 < ceiling.p50 < ceiling.p95
    assert ceiling.fraction_passing < 0.95 and ceiling.n_patients == 1000 and ceiling.n_not_evaluated == 0
    worst = ceiling.worst_patient_params
    assert ceiling.worst_value == pytest.approx(evaluate_envelopes(predict(INFUSION_800, HOURLY_48, worst))[1].value,
                                                rel=1e-9)
    assert ceiling.worst_value > ceiling.p95
    assert "below the required 95 %" in ceiling.reason and str(ceiling.worst_patient_index) in ceiling.reason
    loose = evaluate_population(INFUSION_800, count=1000, seed=1, horizon_h=48.0,
                                min_fraction_passing=ceiling.fraction_passing)
    assert loose.envelope("plasma_ceiling").outcome is Outcome.PASS


def test_result_does_not_depend_on_chunk_size():
    kwargs = dict(count=53, seed=9, horizon_h=30.0)
    one = evaluate_population(BUMPY, sustained=INFUSION_800, **kwargs)
    chunked = evaluate_population(BUMPY, chunk_patients=7, sustained=INFUSION_800, **kwargs)
    assert one == chunked
    assert [e.name for e in one.envelopes] == list(RUN_ENVELOPE_NAMES)


def test_nothing_delivered_is_not_evaluated_never_passed():
    late = DeliveryProfile(segments=(InfusionSegment(50.0, 1.0, 20.0),))
    verdict = evaluate_population(late, count=20, seed=1, horizon_h=48.0, sustained=late)
    for e in verdict.envelopes:
        assert e.outcome is Outcome.NOT_EVALUATED and e.n_not_evaluated == 20 and e.fraction_passing == 0.0
        assert e.p50 is None and e.worst_patient_params is None
    assert verdict.outcome is Outcome.NOT_EVALUATED
    assert verdict.to_dict()["envelopes"][0]["passed"] is False


def test_to_dict_names_the_worst_patient():
    verdict = evaluate_population(INFUSION_800, count=30, seed=2, horizon_h=24.0,
                                  limits=dataclasses.replace(EnvelopeLimits(), cisternal_csf_ceiling_ng_per_ml=100.0))
    cisternal = verdict.to_dict()["envelopes"][3]
    assert cisternal["outcome"] == "FAIL" and cisternal["worst_patient_params"]["lumbar_volume_ml"] > 0
    assert cisternal["p5"] <= cisternal["p50"] <= cisternal["p95"] <= cisternal["worst_value"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(min_fraction_passing=0.0), "min_fraction_passing must be a number within \\(0, 1\\]"),
    (dict(min_fraction_passing=1.5), "min_fraction_passing"),
    (dict(horizon_h=float("nan")), "horizon_h must be a finite number"),
    (dict(chunk_patients=0), "chunk_patients must be a positive integer"),
    (dict(count=0), "count must be a whole number of patients within \\[1, 1000000\\]"),
    (dict(count=-3), "count must be a whole number"),
    (dict(count=MAX_PATIENTS + 1), "count must be a whole number"),
])
def test_bad_arguments_are_refused_by_name(kwargs, message):
    args = dict(count=5, seed=1, horizon_h=12.0) | kwargs
    with pytest.raises(ValueError, match=message):
        evaluate_population(INFUSION_800, **args)
