import numpy as np
import pytest

from firmware_sim.outcome import Outcome
from firmware_sim.pk.population import sample_population
from firmware_sim.pk.population_verdict import evaluate_population
from firmware_sim.pk.population_withdrawal import longest_drops_h
from firmware_sim.pk.predict import predict
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.pk.withdrawal import WithdrawalLimits, withdrawal_envelope

SUSTAINED = DeliveryProfile(segments=(InfusionSegment(0.0, 72.0, 20.0),))
# delivery stops for 10 h at 30 h, then resumes: a withdrawal drop of a few hours to ~10 h depending on the patient
GAP = DeliveryProfile(segments=(InfusionSegment(0.0, 30.0, 20.0), InfusionSegment(40.0, 32.0, 20.0)))
T_H = np.linspace(0.0, 72.0, 289)


@pytest.mark.requirements("SR-PK-005", "SR-PK-006")
@pytest.mark.parametrize("delivered", [GAP, SUSTAINED,
                                       DeliveryProfile(segments=(InfusionSegment(0.0, 50.0, 20.0),))],
                         ids=["gap", "as-programmed", "stopped-until-the-end"])
def test_each_patients_longest_drop_is_its_single_patient_withdrawal_value(delivered):
    batch = sample_population(30, seed=3)
    hours = longest_drops_h(delivered, SUSTAINED, T_H, batch, chunk_patients=7, block_bytes=64 << 10)
    for i in range(0, 30, 4):
        single = withdrawal_envelope(
            predict(delivered, T_H, batch.patient(i)), predict(SUSTAINED, T_H, batch.patient(i))
        )
        if single.value is None:  # a drop still under way at the end, shorter than the limit: not evaluated
            assert np.isnan(hours[i]), i
        else:
            assert hours[i] == pytest.approx(single.value, rel=1e-9, abs=1e-9), i


@pytest.mark.requirements("SR-PK-005", "SR-PK-006")
def test_a_drop_still_under_way_at_the_end_and_shorter_than_the_limit_passes_no_patient():
    """Delivery stopped at 66 h of a 72 h horizon: the patients whose drop began within the last 6 h passed as
    within the limit, although only the horizon kept their drops short."""
    stopped_late = DeliveryProfile(segments=(InfusionSegment(0.0, 66.0, 20.0),))
    batch = sample_population(20, seed=2)
    hours = longest_drops_h(stopped_late, SUSTAINED, T_H, batch)
    under_way = np.isnan(hours)
    assert under_way.sum() >= 5 and (hours[~under_way] == 0.0).all()  # the others show no drop yet
    withdrawal = evaluate_population(stopped_late, count=20, seed=2, horizon_h=72.0, sustained=SUSTAINED,
                                     sample_times_h=T_H).envelope("withdrawal")
    assert withdrawal.n_passing == int((~under_way).sum()) and withdrawal.n_not_evaluated == int(under_way.sum())
    assert withdrawal.outcome is Outcome.FAIL and f"{int(under_way.sum())} not evaluated" in withdrawal.reason


@pytest.mark.requirements("SR-PK-006")
def test_no_sustained_program_is_not_evaluated():
    batch = sample_population(5, seed=1)
    assert np.isnan(longest_drops_h(GAP, None, T_H, batch)).all()
    tiny = DeliveryProfile(segments=(InfusionSegment(0.0, 1.0, 0.01),))
    assert np.isnan(longest_drops_h(GAP, tiny, T_H, batch)).all()
    verdict = evaluate_population(GAP, count=5, seed=1, horizon_h=72.0)
    assert "withdrawal" not in [e.name for e in verdict.envelopes]  # no program given: not judged at all
    verdict = evaluate_population(GAP, count=5, seed=1, horizon_h=72.0, sustained=tiny)
    withdrawal = verdict.envelope("withdrawal")
    assert withdrawal.outcome is Outcome.NOT_EVALUATED and "no sustained program" in withdrawal.reason


@pytest.mark.requirements("SR-PK-005", "SR-PK-006")
def test_a_gap_fails_the_withdrawal_envelope_for_the_population_and_names_the_worst_patient():
    verdict = evaluate_population(GAP, count=300, seed=5, horizon_h=72.0, sustained=SUSTAINED, sample_times_h=T_H)
    withdrawal = verdict.envelope("withdrawal")
    assert withdrawal.outcome is Outcome.FAIL and verdict.outcome is Outcome.FAIL
    assert withdrawal.unit == "h" and withdrawal.limit == 6.0 and withdrawal.fraction_passing < 0.95
    assert withdrawal.requirement_ids == ("SR-PK-006", "SR-PK-005")
    assert withdrawal.p5 <= withdrawal.p50 <= withdrawal.p95 <= withdrawal.worst_value
    worst = withdrawal.worst_patient_params
    single = withdrawal_envelope(predict(GAP, T_H, worst), predict(SUSTAINED, T_H, worst))
    assert withdrawal.worst_value == pytest.approx(single.value, rel=1e-9)
    # a longer tolerated drop lets every patient pass: the limit is what is judged
    loose = evaluate_population(GAP, count=300, seed=5, horizon_h=72.0, sustained=SUSTAINED, sample_times_h=T_H,
                                withdrawal=WithdrawalLimits(max_time_below_h=12.0))
    assert loose.envelope("withdrawal").outcome is Outcome.PASS and loose.envelope("withdrawal").fraction_passing == 1.0


@pytest.mark.requirements("SR-PK-006")
def test_delivery_as_programmed_passes_with_no_drop():
    verdict = evaluate_population(SUSTAINED, count=50, seed=2, horizon_h=72.0, sustained=SUSTAINED)
    withdrawal = verdict.envelope("withdrawal")
    assert withdrawal.outcome is Outcome.PASS and withdrawal.n_passing == 50 and withdrawal.worst_value == 0.0
