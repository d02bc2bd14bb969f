"""The delivered-dose history: points, the dose over a trailing span, the gate's tail, bounded growth."""
from __future__ import annotations

import numpy as np
import pytest

from firmware_sim.pump.delivered_history import INITIAL_CAPACITY_POINTS, DeliveredHistory

H = 3600.0


def test_dose_in_last_span_interpolates_between_points():
    history = DeliveredHistory(0.0, 48 * H)
    history.extend(np.array([3600.0, 7200.0]), np.array([10.0, 30.0]))
    assert history.dose_in_last_s(1800.0) == pytest.approx(10.0)    # 30 - (10 + 20 * 1800 / 3600)
    assert history.dose_in_last_s(10 * H) == 30.0                    # the span reaches before the first point
    history.commit(7200.0, 35.0)                                      # a point at the last time replaces its dose
    assert history.times_s.tolist() == [0.0, 3600.0, 7200.0] and history.last_cum_mcg == 35.0


def test_tail_holds_what_a_rolling_window_needs_plus_the_pending_dose():
    history = DeliveredHistory(0.0, 48 * H)
    history.extend(np.arange(1, 101) * H, np.arange(1, 101) * 5.0)
    tail = history.tail(100.5 * H, 2.5, 24 * H)
    assert tail.times_s[0] == 76 * H and tail.times_s[-1] == 100.5 * H   # the last point before now - 24 h on
    assert tail.cum_mcg[-1] == 502.5
    assert len(history.tail(100 * H, 0.0).times_s) == 101                 # no span: everything, nothing pending


def test_a_year_of_ticks_keeps_about_two_spans_and_the_same_window_doses():
    span_s, period_s = 48 * H, 60.0
    history = DeliveredHistory(0.0, span_s)
    times = np.add.accumulate(np.full(365 * 1440, period_s))
    cums = np.add.accumulate(np.full(len(times), 0.35))
    for start in range(0, len(times), 997):
        history.extend(times[start:start + 997], cums[start:start + 997])
    assert len(history.times_s) <= 4 * span_s / period_s + INITIAL_CAPACITY_POINTS
    assert history.times_s[0] <= times[-1] - span_s
    assert history.dose_in_last_s(24 * H) == pytest.approx(0.35 * 1440)
