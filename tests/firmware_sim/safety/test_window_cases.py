"""Rolling-window cases found by the brute-force property test, kept as fixed examples."""
from __future__ import annotations

import numpy as np
import pytest

from firmware_sim.safety.window import DoseHistory, RatePiece, max_window_dose_mcg

H = 3600.0


@pytest.mark.requirements("SR-DOSE-003")
def test_window_starting_at_the_far_end_of_the_range_counts():
    # Found by test_max_window_matches_brute_force: planned delivery only near the end of the plan; the largest
    # window starts at now + 24 h, the right end of the range of window starts.
    history = DoseHistory(np.array([0.0, 3 * H]), np.array([0.0, 0.0]))
    now = history.now_s
    dose, start_s = max_window_dose_mcg(history, [RatePiece(now + 43 * H, now + 49 * H, 1.0)], 24 * H)
    assert dose == pytest.approx(5.0)
    assert start_s == pytest.approx(now + 24 * H)


@pytest.mark.requirements("SR-DOSE-003")
def test_rows_at_or_before_now_share_the_planned_part():
    # Window starts before now see no planned delivery at the start; one at now + 1 h does.
    history = DoseHistory(np.array([0.0, 24 * H]), np.array([0.0, 240.0]))
    planned = [RatePiece(24 * H, 48 * H, 10.0), RatePiece(25 * H, 26 * H, 100.0)]
    dose, _ = max_window_dose_mcg(history, planned, 24 * H)
    assert dose == pytest.approx(340.0)


def test_peak_rate_sums_overlaps_but_not_abutting_pieces():
    from firmware_sim.safety.window import RatePiece, peak_rate_mcg_per_h
    assert peak_rate_mcg_per_h([]) == 0.0
    assert peak_rate_mcg_per_h([RatePiece(0, 10, 5), RatePiece(10, 20, 7)]) == 7    # abutting: no overlap
    assert peak_rate_mcg_per_h([RatePiece(0, 10, 5), RatePiece(9, 20, 7), RatePiece(15, 16, 1)]) == 12
