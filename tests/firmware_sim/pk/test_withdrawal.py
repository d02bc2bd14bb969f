"""The withdrawal envelope: the delivered effect site against the level the running program sustains (SR-PK-006)."""
from __future__ import annotations

import numpy as np
import pytest

from firmware_sim.outcome import Outcome
from firmware_sim.pk.envelopes import ENVELOPE_NAMES
from firmware_sim.pk.predict import predict
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.pk.withdrawal import (RUN_ENVELOPE_NAMES, WITHDRAWAL_ENVELOPE, WithdrawalLimits, drop_began_h,
                                        find_drops, withdrawal_envelope)

pytestmark = pytest.mark.requirements("SR-PK-006")

T = np.linspace(0.0, 48.0, 481)
RATE = 400.0 / 24.0  # mcg/h at the tip


def continuous(*pieces: tuple[float, float]) -> DeliveryProfile:
    return DeliveryProfile(segments=tuple(InfusionSegment(a, b - a, RATE) for a, b in pieces))


SUSTAINED = predict(continuous((1.0, 48.0)), T)


def test_delivery_as_programmed_passes_with_no_drop():
    result = withdrawal_envelope(predict(continuous((1.0, 48.0)), T), SUSTAINED)
    assert result.outcome is Outcome.PASS and result.value == 0.0
    assert (result.name, result.unit, result.limit, result.requirement_ids) == (WITHDRAWAL_ENVELOPE, "h", 6.0,
                                                                                ("SR-PK-006",))
    assert drop_began_h(result) is None


def test_delivery_stopped_for_good_fails_and_names_when_the_drop_began():
    result = withdrawal_envelope(predict(continuous((1.0, 10.0)), T), SUSTAINED)
    assert result.outcome is Outcome.FAIL
    began = drop_began_h(result)
    assert 10.0 < began < 18.0  # the effect site lags the stop by hours (biophase half-lives of 3.5 and 17 h)
    assert result.value == pytest.approx(48.0 - began, abs=0.01)  # still below at the end
    assert f"t={began:.3f} h" in result.reason and "longer than the 6 h limit" in result.reason
    # at the start of the drop the delivered effect site is half the sustained one
    i = int(np.searchsorted(T, began))
    delivered = predict(continuous((1.0, 10.0)), T).effect_ng_per_ml
    assert delivered[i - 1] >= 0.5 * SUSTAINED.effect_ng_per_ml[i - 1]
    assert delivered[i] < 0.5 * SUSTAINED.effect_ng_per_ml[i]


def test_a_pause_that_ends_in_time_passes_with_its_drop_reported():
    result = withdrawal_envelope(predict(continuous((1.0, 10.0), (16.0, 48.0)), T), SUSTAINED)
    assert result.outcome is Outcome.PASS
    assert 0.0 < result.value < 6.0
    assert drop_began_h(result) is not None and "within the 6 h limit" in result.reason


def test_the_fraction_and_the_duration_are_configurable():
    paused = predict(continuous((1.0, 10.0), (16.0, 48.0)), T)
    strict = withdrawal_envelope(paused, SUSTAINED, WithdrawalLimits(min_sustained_fraction=0.9,
                                                                     max_time_below_h=2.0))
    assert strict.outcome is Outcome.FAIL and strict.limit == 2.0
    stopped = predict(continuous((1.0, 10.0)), T)
    lenient = withdrawal_envelope(stopped, SUSTAINED, WithdrawalLimits(max_time_below_h=48.0))
    assert lenient.outcome is Outcome.NOT_EVALUATED  # below to the end: whether it outlasts 48 h is beyond the run
    paused = withdrawal_envelope(paused, SUSTAINED, WithdrawalLimits(max_time_below_h=8.0))
    assert paused.outcome is Outcome.PASS


def test_a_drop_still_under_way_at_the_end_and_shorter_than_the_limit_is_not_evaluated_never_pass():
    """Delivery stopped for good at 40 h: the drop began a few hours before the end of the prediction. It passed as
    within the 6 h limit, although only the run's length kept it short (a probe: hazard-occlusion showed withdrawal
    PASS after 6 h of no delivery; run to 40 h it FAILed)."""
    result = withdrawal_envelope(predict(continuous((1.0, 40.0)), T), SUSTAINED)
    began = drop_began_h(result)
    assert result.outcome is Outcome.NOT_EVALUATED and result.value is None
    assert began is not None and 48.0 - 6.0 < began < 48.0
    assert result.details["time_below_so_far_h"] == pytest.approx(48.0 - began, abs=1e-9)
    assert "still below at the end of the prediction" in result.reason
    assert f"a run to at least {began + 6.0:.3g} h would judge it" in result.reason


def test_the_first_drop_over_the_limit_is_the_one_named():
    twice = predict(continuous((1.0, 6.0), (16.0, 38.0)), T)  # a long drop, recovery, a second drop to the end
    result = withdrawal_envelope(twice, SUSTAINED)
    assert result.outcome is Outcome.FAIL
    assert 6.0 < drop_began_h(result) < 16.0 and result.details["drops"] == 2
    assert result.value == pytest.approx(result.details["drop_ended_h"] - drop_began_h(result))


def test_no_sustained_program_is_not_evaluated():
    delivered = predict(continuous((1.0, 48.0)), T)
    for sustained in (None, predict(DeliveryProfile(), T)):
        result = withdrawal_envelope(delivered, sustained)
        assert result.outcome is Outcome.NOT_EVALUATED and result.value is None
        assert "no sustained program" in result.reason


def test_predictions_on_different_grids_are_refused():
    with pytest.raises(ValueError, match="share their sample times"):
        withdrawal_envelope(predict(continuous((1.0, 48.0)), T[:-1]), SUSTAINED)


@pytest.mark.parametrize("kwargs", [{"min_sustained_fraction": 0.0}, {"min_sustained_fraction": 1.0},
                                    {"min_sustained_fraction": True}, {"max_time_below_h": 0},
                                    {"max_time_below_h": float("nan")}, {"min_dose_to_evaluate_mcg": -1}])
def test_bad_limits_are_refused_by_name(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        WithdrawalLimits(**kwargs)


def test_drops_are_interpolated_between_samples():
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    sustained = np.full(5, 10.0)
    delivered = np.array([10.0, 6.0, 2.0, 6.0, 10.0])  # crosses 5 at 1.25 h and 2.75 h
    [drop] = find_drops(t, delivered, sustained, 0.5)
    assert (drop.began_h, drop.ended_h) == (pytest.approx(1.25), pytest.approx(2.75))
    assert find_drops(t, sustained, sustained, 0.5) == []


def test_the_run_envelope_names_add_withdrawal_after_the_exposure_envelopes():
    assert RUN_ENVELOPE_NAMES == ENVELOPE_NAMES + ("withdrawal",)
