"""The rolling-window arithmetic against a brute-force scan."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from firmware_sim.safety.window import DoseHistory, RatePiece, max_window_dose_mcg

H = 3600.0


def brute_force(history, planned, window_s, step_s=60.0):
    now = history.now_s

    def cum(x):
        return float(np.interp(min(x, now), history.times_s, history.cum_mcg)) + sum(
            p.rate_mcg_per_h * (min(max(x, now), p.end_s) - p.start_s) / H for p in planned if max(x, now) > p.start_s)
    starts = np.arange(now - window_s, now + window_s + 1, step_s)
    return max(cum(s + window_s) - cum(s) for s in starts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=10),
       st.lists(st.tuples(st.integers(0, 47), st.integers(1, 6), st.floats(0, 50)), max_size=4))
def test_max_window_matches_brute_force(past_rates, planned_spec):
    times = np.arange(len(past_rates) + 1) * H * 3
    cum = np.concatenate([[0.0], np.cumsum(np.array(past_rates) * 3)])
    history = DoseHistory(times, cum)
    now = history.now_s
    planned = [RatePiece(now + a * H, now + (a + b) * H, r) for a, b, r in planned_spec]
    dose, _ = max_window_dose_mcg(history, planned, 24 * H)
    assert dose >= brute_force(history, planned, 24 * H) - 1e-6
    assert abs(dose - brute_force(history, planned, 24 * H, step_s=600.0)) < 1e-6
