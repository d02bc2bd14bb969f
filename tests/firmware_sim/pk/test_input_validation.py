"""The kernel, the model and the envelopes refuse non-finite, zero and absurd inputs by name, with the allowed
range, before any matrix is built (never a LinAlgError or a NaN concentration)."""
from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_sim.pk.envelopes import EnvelopeLimits, evaluate_envelopes
from firmware_sim.pk.model import LinearSystem, PatientBatch, build_system
from firmware_sim.pk.oral import OralRegimen
from firmware_sim.pk.params import PARAM_RANGES, BaclofenParams
from firmware_sim.pk.population import sample_population
from firmware_sim.pk.predict import predict
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment, InstantBolus

BAD_NUMBERS = (5e-324, 0.0, -1.0, float("inf"), float("nan"), 1e300)


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_weight_is_refused_by_name_with_its_range(value):
    with pytest.raises(ValueError, match=r"BaclofenParams\.weight_kg must be a finite number within \[0\.3, 700\]"):
        BaclofenParams(weight_kg=value)


@pytest.mark.parametrize("name", sorted(PARAM_RANGES))
def test_every_parameter_refuses_non_finite_and_out_of_range_values(name):
    low, high = PARAM_RANGES[name]
    for value in (float("nan"), float("inf"), -float("inf"), high * 2 + 1, low - 1):
        with pytest.raises(ValueError, match=rf"BaclofenParams\.{name} must be a finite number within"):
            dataclasses.replace(BaclofenParams(), **{name: value})
    for value in (low, high):           # both ends are allowed
        assert getattr(dataclasses.replace(BaclofenParams(), **{name: value}), name) == value


def test_batch_and_population_name_the_field_and_the_patient():
    values = dict(PatientBatch.from_params([BaclofenParams()] * 3).values)
    values["weight_kg"] = np.array([70.0, 5e-324, 70.0])
    with pytest.raises(ValueError, match=r"weight_kg must be a finite number within \[0\.3, 700\].*patient 1"):
        PatientBatch(values)
    values["weight_kg"] = np.array([70.0, 70.0, np.nan])
    with pytest.raises(ValueError, match=r"weight_kg .*patient 2"):
        PatientBatch(values)
    with pytest.raises(ValueError, match=r"weight_kg"):
        sample_population(4, seed=1, weight_kg=np.array([70.0, 40.0, 5e-324, 20.0]))


def test_linear_system_refuses_non_finite_matrices_by_name():
    system = build_system(PatientBatch.from_params([BaclofenParams(), BaclofenParams()]))
    k = system.k_per_h.copy()
    k[1, 0, 0] = np.inf
    with pytest.raises(ValueError, match=r"LinearSystem\.k_per_h has a non-finite entry for patient 1"):
        LinearSystem(k, system.infusion_input, system.bolus_input, system.output_matrix, system.output_names)


@pytest.mark.parametrize("make, name", [
    (lambda: InfusionSegment(float("nan"), 1.0, 1.0), "InfusionSegment.start_h"),
    (lambda: InfusionSegment(0.0, float("inf"), 1.0), "InfusionSegment.duration_h"),
    (lambda: InfusionSegment(0.0, 1.0, float("nan")), "InfusionSegment.rate_mcg_per_h"),
    (lambda: InstantBolus(float("inf"), 1.0), "InstantBolus.t_h"),
    (lambda: InstantBolus(0.0, float("nan")), "InstantBolus.dose_mcg"),
    (lambda: OralRegimen(dose_mg=float("inf")), "OralRegimen.dose_mg"),
    (lambda: OralRegimen(interval_h=0.0), "OralRegimen.interval_h"),
    (lambda: OralRegimen(bioavailability_fraction=float("nan")), "OralRegimen.bioavailability_fraction"),
    (lambda: OralRegimen(n_doses_to_steady_state=2.5), "OralRegimen.n_doses_to_steady_state"),
    (lambda: EnvelopeLimits(lumbar_csf_ceiling_ng_per_ml=float("inf")), "EnvelopeLimits.lumbar_csf_ceiling_ng_per_ml"),
    (lambda: EnvelopeLimits(plasma_reduction_min_ratio=float("nan")), "EnvelopeLimits.plasma_reduction_min_ratio"),
    (lambda: EnvelopeLimits(oral_regimen="20 mg"), "EnvelopeLimits.oral_regimen"),
])
def test_profile_regimen_and_limits_refuse_bad_values_by_name(make, name):
    with pytest.raises(ValueError, match="^" + re.escape(name) + " must be"):
        make()


def corner_params():
    """Every parameter at the low end, the default or the high end of its range."""
    default = BaclofenParams()
    choices = {
        name: st.sampled_from([low, high] + ([getattr(default, name)] if getattr(default, name) is not None else []))
        for name, (low, high) in PARAM_RANGES.items()
    }
    return st.fixed_dictionaries(choices).map(lambda kw: BaclofenParams(**kw))


@settings(max_examples=8, deadline=None)
@given(corner_params())
def test_parameters_inside_their_ranges_give_finite_predictions_and_envelopes(params):
    profile = DeliveryProfile(segments=(InfusionSegment(0.0, 1 / 60, 3000.0), InfusionSegment(0.0, 12.0, 20.0)))
    prediction = predict(profile, np.linspace(0.0, 12.0, 13), params, peak_grid_step_h=0.1)
    for name, peak in prediction.peaks.items():
        assert math.isfinite(peak.value) and np.all(np.isfinite(prediction.series(name))), name
    for result in evaluate_envelopes(prediction):
        assert result.value is None or math.isfinite(result.value)
