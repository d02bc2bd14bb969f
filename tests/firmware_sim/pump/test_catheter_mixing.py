"""The tanks-in-series catheter mixing model against analytic results: mass conservation, mean residence volume
equal to the dead volume, the Erlang step response, plug flow as the many-tank limit, and exact piece doses."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from firmware_sim.pump.catheter_mixing import MixingTrack, erlang_cdf, erlang_cdf_integral
from firmware_sim.pump.concentration import ConcentrationTrack
import itertools

req = pytest.mark.requirements
V_UL = 506.0


def test_one_tank_is_the_exponential_washout():
    track = MixingTrack(V_UL, 1)
    track.fill(0.0, 2000.0)
    for q in (10.0, 100.0, 506.0, 2000.0):
        assert track.tip_conc_at(q) == pytest.approx(2000.0 * (1 - math.exp(-q / V_UL)), rel=1e-12)


def test_two_tanks_match_the_closed_form_step_response():
    track = MixingTrack(V_UL, 2)
    track.fill(0.0, 1000.0)
    for q in (50.0, 253.0, 900.0):
        x = q / (V_UL / 2)
        assert track.tip_conc_at(q) == pytest.approx(1000.0 * (1 - math.exp(-x) * (1 + x)), rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 200))
def test_mean_residence_volume_is_the_dead_volume_and_mass_is_conserved(n):
    """Integral of (1 - F_n) over all volumes is the mean residence volume: V, for every n. So the drug that plug
    flow would deliver after V arrives in full, only spread out."""
    theta = V_UL / n
    far_x = n + 40 * math.sqrt(n) + 60
    deficit_ul = far_x * theta - theta * erlang_cdf_integral(n, far_x)
    assert deficit_ul == pytest.approx(V_UL, rel=1e-9)
    track = MixingTrack(V_UL, n)
    track.fill(0.0, 2000.0)
    q_end = far_x * theta + 1000.0
    assert track.tip_dose_mcg(0.0, q_end) == pytest.approx(2000.0 * (q_end - V_UL) / 1000.0, rel=1e-9)


def test_the_integral_matches_numerical_quadrature():
    for n, x in ((1, 0.7), (5, 3.0), (20, 25.0)):
        numeric, _ = quad(lambda y, n=n: erlang_cdf(n, y), 0.0, x, epsabs=1e-13)
        assert erlang_cdf_integral(n, x) == pytest.approx(numeric, rel=1e-9, abs=1e-12)


def test_piece_doses_add_up_exactly_and_split_the_transition():
    track = MixingTrack(V_UL, 10)
    track.fill(0.0, 2000.0)
    pieces = track.tip_segments(0.0, 1500.0)
    assert len(pieces) > 20 and pieces[0][0] == 0.0 and pieces[-1][1] == 1500.0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    total = sum((b - a) * c for a, b, c in pieces) / 1000.0
    assert total == pytest.approx(track.tip_dose_mcg(0.0, 1500.0), rel=1e-12)
    assert [c for _, _, c in pieces] == sorted(c for _, _, c in pieces)  # a step up only rises
    late = track.tip_segments(5000.0, 5010.0)
    assert late == [(5000.0, 5010.0, pytest.approx(2000.0, rel=1e-9))]


def test_drug_arrives_before_one_dead_volume_and_is_short_after_it():
    """The priming-bolus warning: drug before the end of priming, reduced concentration after it."""
    track = MixingTrack(V_UL, 10)
    track.fill(0.0, 2000.0)
    early_mcg = track.tip_dose_mcg(0.0, V_UL)
    assert early_mcg > 0.1 * 2000.0 * V_UL / 1000.0 / 10  # a tenth of a dead volume's worth or so
    assert track.tip_conc_at(V_UL) < 2000.0 * 0.6
    # the drug that came early is missing later: the same mass in all
    assert track.tip_dose_mcg(V_UL, 20 * V_UL) == pytest.approx(2000.0 * 19 * V_UL / 1000.0 - early_mcg, rel=1e-9)


def test_many_tanks_approach_plug_flow_and_a_concentration_change_is_a_second_step():
    plug = ConcentrationTrack(V_UL)
    mixed = MixingTrack(V_UL, 5000)
    for track in (plug, mixed):
        track.fill(0.0, 2000.0)
        track.fill(1000.0, 500.0)
    for q0, q1 in ((0.0, 400.0), (600.0, 1400.0), (1600.0, 2400.0)):
        assert mixed.tip_dose_mcg(q0, q1) == pytest.approx(plug.tip_dose_mcg(q0, q1), rel=1e-6, abs=1e-9)


def test_bad_parameters_are_refused():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_tanks"):
            MixingTrack(V_UL, bad)
    with pytest.raises(ValueError, match="dead_volume_ul"):
        MixingTrack(0.0, 3)
    track = MixingTrack(V_UL, 3)
    track.fill(10.0, 500.0)
    with pytest.raises(ValueError, match="precedes"):
        track.fill(5.0, 2000.0)
