"""Kernel vs an independent reference (solve_ivp at tight tolerance, closed forms)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from firmware_sim.pk.kernel import simulate
from firmware_sim.pk.stepper import propagators
from firmware_sim.pk.modal import interval_factors, modal_basis
from firmware_sim.pk.model import PatientBatch, build_system
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.population import sample_population
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment, InstantBolus
from tools.pk_reference_solver import solve_reference


def max_relative_error(kernel, reference):
    worst = 0.0
    for k_row, r_row in zip(kernel, reference):
        mask = np.abs(r_row) > 1e-9 * np.abs(r_row).max()
        worst = max(worst, float(np.max(np.abs(k_row[mask] - r_row[mask]) / np.abs(r_row[mask]))))
    return worst


MIXED = DeliveryProfile(
    segments=(InfusionSegment(0.0, 30.0, 20.0), InfusionSegment(2.0, 1 / 60, 3000.0),
              InfusionSegment(7.3, 4.1, 11.0), InfusionSegment(18.05, 0.5, 90.0)),
    instant_boluses=(InstantBolus(5.5, 40.0), InstantBolus(12.25, 25.0)),
)


def test_mixed_profile_matches_solve_ivp_default_and_population():
    t = np.linspace(0.0, 36.0, 145)
    batch = sample_population(4, seed=3, weight_kg=np.array([70.0, 25.0, 40.0, 110.0]))
    system = build_system(batch)
    kernel = simulate(system, MIXED, t)
    for p in range(batch.n_patients):
        reference = solve_reference(system, MIXED, t, patient=p)
        assert max_relative_error(kernel[:, :, p], reference) < 1e-6


def _amounts(most: float) -> st.SearchStrategy[float]:
    """Rates (mcg/h) and doses (mcg): none, or at least 1e-3. The reference solver's absolute tolerance (1e-15)
    swamps amounts far below that (a 1e-178 mcg bolus is off by 0.5 % there), so relative errors of such amounts
    judge the reference, not the kernel."""
    return st.one_of(st.just(0.0), st.floats(1e-3, most))


@settings(max_examples=8, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 20), st.floats(0.01, 6), _amounts(200)), min_size=1, max_size=4),
       st.lists(st.tuples(st.floats(0, 20), _amounts(100)), max_size=3))
def test_random_profiles_match_solve_ivp(segments, boluses):
    profile = DeliveryProfile(tuple(InfusionSegment(*s) for s in segments), tuple(InstantBolus(*b) for b in boluses))
    t = np.linspace(0.0, 24.0, 49)
    system = build_system(PatientBatch.from_params(BaclofenParams()))
    kernel = simulate(system, profile, t)[:, :, 0]
    reference = solve_reference(system, profile, t)
    if np.abs(reference).max() > 0:
        assert max_relative_error(kernel, reference) < 1e-6


def test_modal_propagators_equal_expm_and_fallback_is_used_for_repeated_eigenvalues():
    # fast ke0 equal to a CSF eigenvalue makes K defective: the expm fallback must take over for that patient
    csf = build_system(PatientBatch.from_params(BaclofenParams())).k_per_h[0][np.ix_([0, 2], [0, 2])]
    params = BaclofenParams(biophase_fast_ke0_per_h=float(-np.linalg.eigvals(csf).max()))
    system = build_system(PatientBatch.from_params([BaclofenParams(), params]))
    basis = modal_basis(system)
    assert basis.modal.tolist() == [0] and basis.fallback.tolist() == [1]
    growth, integral = interval_factors(basis.eigenvalues, basis.infusion_modal, 0.7)
    vectors = basis.vectors[0]
    phi = vectors @ np.diag(growth[:, 0]) @ np.linalg.inv(vectors)
    gamma = vectors @ integral[:, 0]
    phi_ref, gamma_ref = propagators(system, 0.7)
    states = basis.states  # what no input reaches stays 0 and is not stepped
    assert np.allclose(phi, phi_ref[np.ix_(states, states)][:, :, 0], rtol=1e-9, atol=1e-13)
    assert np.allclose(gamma, gamma_ref[states, 0], rtol=1e-9, atol=1e-13)


def test_tissue_reservoir_on_still_matches_reference():
    params = BaclofenParams(tissue_uptake_per_h=0.05, tissue_return_per_h=0.02)
    system = build_system(PatientBatch.from_params(params))
    t = np.linspace(0.0, 30.0, 61)
    assert max_relative_error(simulate(system, MIXED, t)[:, :, 0], solve_reference(system, MIXED, t)) < 1e-6


def test_bolus_is_right_continuous_and_no_drug_before_first_event():
    profile = DeliveryProfile(instant_boluses=(InstantBolus(1.0, 66.2),))
    y = simulate(build_system(PatientBatch.from_params(BaclofenParams())), profile, np.array([0.0, 0.5, 1.0]))
    assert y[0, 0, 0] == 0.0 and y[0, 1, 0] == 0.0
    assert y[0, 2, 0] == pytest.approx(1000.0)  # 66.2 mcg in 66.2 mL


@pytest.mark.parametrize("bad", [np.array([]), np.array([1.0, 1.0]), np.array([2.0, 1.0]), np.array([0.0, np.nan])])
def test_bad_sample_times_rejected(bad):
    with pytest.raises(ValueError, match="t_h"):
        simulate(build_system(PatientBatch.from_params(BaclofenParams())), MIXED, bad)


def test_mixed_batch_of_modal_and_fallback_patients_matches_solve_ivp():
    # patient 1: fast ke0 equal to a CSF eigenvalue makes K defective (dense expm path); patient 2: the
    # tissue reservoir on (a state the others never reach); simulated together, checked one by one
    csf = build_system(PatientBatch.from_params(BaclofenParams())).k_per_h[0][np.ix_([0, 2], [0, 2])]
    ke0 = float(-np.linalg.eigvals(csf).max())
    params = [BaclofenParams(), BaclofenParams(biophase_fast_ke0_per_h=ke0),
              BaclofenParams(tissue_uptake_per_h=0.05, tissue_return_per_h=0.02)]
    system = build_system(PatientBatch.from_params(params))
    assert list(modal_basis(system).fallback) == [1]
    t = np.linspace(0.0, 30.0, 61)
    kernel = simulate(system, MIXED, t)
    for p in range(len(params)):
        assert max_relative_error(kernel[:, :, p], solve_reference(system, MIXED, t, patient=p)) < 1e-6
