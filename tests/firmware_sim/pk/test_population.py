import numpy as np
import pytest

from firmware_sim.pk.population import PopulationVariability, sample_population
from firmware_sim.pk.predict import predict_population
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment


def test_same_seed_same_patients_other_seed_other_patients():
    a, b, c = sample_population(50, seed=11), sample_population(50, seed=11), sample_population(50, seed=12)
    for name in a.values:
        assert np.array_equal(a.values[name], b.values[name], equal_nan=True)
    assert not np.array_equal(a.values["lumbar_volume_ml"], c.values["lumbar_volume_ml"])


def test_log_normal_cv_and_correlation():
    batch = sample_population(20000, seed=1)
    var = PopulationVariability()
    log_cl = np.log(batch.values["lumbar_clearance_ml_per_h"])
    log_v = np.log(batch.values["lumbar_volume_ml"])
    assert np.std(log_cl) == pytest.approx(np.sqrt(np.log1p(var.lumbar_clearance_cv ** 2)), rel=0.03)
    assert np.std(np.log(batch.values["systemic_clearance_l_per_h"])) == pytest.approx(
        np.sqrt(np.log1p(0.3**2)), rel=0.03
    )
    assert np.corrcoef(log_cl, log_v)[0, 1] == pytest.approx(0.5, abs=0.03)
    assert np.median(batch.values["lumbar_volume_ml"]) == pytest.approx(66.2, rel=0.03)


def test_zero_variability_reproduces_typical_patient_and_weight_is_a_covariate():
    zero = PopulationVariability(*(0.0 for _ in range(2)), 0.0, *(0.0 for _ in range(4)))
    batch = sample_population(3, seed=0, variability=zero, weight_kg=np.array([70.0, 35.0, 140.0]))
    profile = DeliveryProfile(segments=(InfusionSegment(0.0, 2000.0, 400.0 / 24.0),))
    pop = predict_population(profile, np.array([0.0, 1500.0]), batch)
    plasma = pop.series["plasma_ng_per_ml"][-1]
    assert plasma[0] == pytest.approx(400.0 / 24.0 / 8.0, rel=1e-6)
    assert plasma[1] / plasma[0] == pytest.approx(2 ** 0.75, rel=1e-6)   # CLs ~ weight^0.75
    lumbar = pop.series["lumbar_csf_ng_per_ml"][-1]
    assert lumbar[0] == pytest.approx(lumbar[2], rel=1e-9)               # CSF not weight-scaled


def test_percentiles_are_ordered_and_bad_inputs_rejected():
    pop = predict_population(DeliveryProfile(segments=(InfusionSegment(0.0, 24.0, 20.0),)),
                             np.linspace(0, 24, 25), sample_population(200, seed=5))
    pct = pop.percentiles((5, 50, 95))["cisternal_csf_ng_per_ml"]
    assert np.all(pct[0] <= pct[1]) and np.all(pct[1] <= pct[2]) and pct[2, -1] > pct[0, -1]
    with pytest.raises(ValueError, match="n_patients"):
        sample_population(0, seed=1)
    with pytest.raises(ValueError, match="weight_kg"):
        sample_population(2, seed=1, weight_kg=-3.0)
