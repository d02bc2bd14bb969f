"""The fast rolling-window check gives exactly what the previous implementation (window_reference.py) gave.

window_reference.py keeps the arithmetic of the previous firmware_sim/safety/window.py unchanged, for these tests
only. The new code screens window starts with an error-bounded estimate and evaluates only the starts that can be
largest with the reference arithmetic, so the largest dose is equal to the last bit and the reported start is the
same one, also among equal windows (ties are frequent: periodic plans, repeated rates, pieces on an hourly grid).
"""
from __future__ import annotations

import importlib.util
import math
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from firmware_sim.safety import window as window_module
from firmware_sim.safety.window import (DoseHistory, RatePiece, max_window_dose_above_mcg, max_window_dose_mcg,
                                        window_dose_bound_mcg)

H = 3600.0


def _load_reference():
    name = "itpump_window_reference"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("window_reference.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


reference = _load_reference()

grid_times = st.integers(0, 12).map(lambda k: k * H / 2)
some_times = st.one_of(grid_times, st.floats(0, 6 * H, allow_nan=False).map(lambda t: round(t, 3)))
some_rates = st.one_of(st.sampled_from([0.0, 1.0, 2.5, 10.0, 21.0]), st.floats(0, 300, allow_nan=False))


@st.composite
def cases(draw):
    step_s = draw(st.sampled_from([60.0, 600.0, 3 * H, 1234.5]))
    n = draw(st.integers(0, 40))
    rates = draw(st.lists(some_rates, min_size=n, max_size=n))
    offset_s = draw(st.sampled_from([0.0, 86400.0 * 200, 7.25]))
    times = offset_s + np.arange(n + 1) * step_s
    cum = np.concatenate([[draw(st.sampled_from([0.0, 1e5, 123.456]))], np.array(rates) * step_s / H])
    history = DoseHistory(times, np.cumsum(cum))
    now = history.now_s
    planned = []
    for _ in range(draw(st.integers(0, 12))):
        start = now + draw(st.integers(0, 48)) * H / 2 + draw(some_times) * draw(st.sampled_from([0, 0, 1]))
        planned.append(RatePiece(start, start + draw(st.one_of(grid_times, some_times)), draw(some_rates)))
    if draw(st.booleans()):  # a periodic plan repeating the last day: many exactly equal windows
        planned += [RatePiece(now + h * H, now + (h + 1) * H, rates[-1] if rates else 5.0) for h in range(48)]
    return history, planned, draw(st.sampled_from([24 * H, 24 * H, 6 * H]))


@pytest.mark.requirements("SR-DOSE-003")
@settings(max_examples=300, deadline=None)
@given(cases())
def test_same_largest_window_as_the_reference(case):
    history, planned, window_s = case
    dose, start_s = max_window_dose_mcg(history, planned, window_s)
    ref_dose, ref_start_s = reference.max_window_dose_mcg(history, planned, window_s)
    assert dose == pytest.approx(ref_dose, rel=1e-9, abs=1e-9)
    assert start_s == ref_start_s
    assert dose == ref_dose  # in fact to the last bit: the largest candidates use the reference arithmetic


@pytest.mark.requirements("SR-DOSE-003")
@settings(max_examples=100, deadline=None)
@given(cases())
def test_the_reference_arithmetic_in_blocks_of_rows_gives_the_same_bits(case):
    """A plan of thousands of pieces built a (knots x pieces) buffer of gigabytes at once; the rows now go in blocks,
    each row's value the same as in one buffer."""
    history, planned, window_s = case
    whole = max_window_dose_mcg(history, planned, window_s)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(window_module, "_MAX_BUFFER_ELEMENTS", 7)
        assert max_window_dose_mcg(history, planned, window_s) == whole


def test_a_plan_of_thousands_of_pieces_is_checked_in_bounded_memory():
    """4000 pieces: the screen's knots alone made an 8000 x 4000 buffer (256 MB) at once."""
    history = DoseHistory.empty(0.0)
    planned = [RatePiece(i * 43.2, (i + 1) * 43.2, 20.0 + i % 7) for i in range(4000)]
    tracemalloc.start()
    try:
        max_window_dose_mcg(history, planned, 24 * H)
        peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak_bytes < 100e6


@pytest.mark.requirements("SR-DOSE-003")
@settings(max_examples=200, deadline=None)
@given(cases(), st.sampled_from([-1e-6, -1e-12, 0.0, 1e-12, 1e-6, 5.0, 1e3]))
def test_above_threshold_is_none_only_when_the_reference_is_within_it(case, delta):
    history, planned, window_s = case
    ref = reference.max_window_dose_mcg(history, planned, window_s)
    threshold = ref[0] + delta
    found = max_window_dose_above_mcg(history, planned, window_s, threshold)
    if found is None:
        assert ref[0] <= threshold
    else:
        assert found == ref


@pytest.mark.requirements("SR-DOSE-003")
def test_unscreenable_input_falls_back_to_every_start():
    # Repeated history times (a step in the cumulative dose) give no error bound: every start is evaluated.
    history = DoseHistory(np.array([0.0, H, H, 25 * H]), np.array([0.0, 0.0, 50.0, 290.0]))
    planned = [RatePiece(25 * H, 26 * H, 100.0), RatePiece(30 * H, 20 * H, 5.0)]
    assert max_window_dose_mcg(history, planned, 24 * H) == reference.max_window_dose_mcg(history, planned, 24 * H)
    assert max_window_dose_above_mcg(history, planned, 24 * H, 0.0) == reference.max_window_dose_mcg(
        history, planned, 24 * H)


@pytest.mark.requirements("SR-DOSE-003")
@settings(max_examples=200, deadline=None)
@given(cases())
def test_dose_bound_is_never_below_the_largest_window(case):
    # The check passes at the bound without evaluating any start: every window dose must be at or below it.
    history, planned, window_s = case
    bound_mcg = window_dose_bound_mcg(history, planned, window_s)
    ref_dose, _ = reference.max_window_dose_mcg(history, planned, window_s)
    assert ref_dose <= bound_mcg
    if math.isfinite(bound_mcg):
        assert max_window_dose_above_mcg(history, planned, window_s, bound_mcg) is None
        assert max_window_dose_above_mcg(history, planned, window_s, ref_dose - 1e-6) == (
            reference.max_window_dose_mcg(history, planned, window_s))


@pytest.mark.requirements("SR-DOSE-003")
def test_dose_bound_passes_steady_therapy_and_gives_none_for_what_it_cannot_bound():
    # 21 mcg/h delivered for 25 h and planned for 48 h (a 504 mcg/day program): at most 25 + 24 h of it
    history = DoseHistory(np.arange(26) * H, np.arange(26) * 21.0)
    planned = [RatePiece(25 * H + h * H, 26 * H + h * H, 21.0) for h in range(48)]
    assert window_dose_bound_mcg(history, planned, 24 * H) == pytest.approx(49 * 21.0 + 21.0 / H, rel=1e-9)
    assert max_window_dose_above_mcg(history, planned, 24 * H, 1200.0) is None
    assert window_dose_bound_mcg(history, planned + [RatePiece(30 * H, 31 * H, -1.0)], 24 * H) == math.inf
    assert window_dose_bound_mcg(history, planned, math.inf) == math.inf
    repeated = DoseHistory(np.array([0.0, H, H, 25 * H]), np.array([0.0, 0.0, 50.0, 290.0]))
    assert window_dose_bound_mcg(repeated, planned, 24 * H) == math.inf
