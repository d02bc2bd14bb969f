"""Trumpet curve from synthetic balance series of known error."""
from __future__ import annotations

import numpy as np
import pytest

from hil.gravimetry.conversion import mass_to_volume_ul
from hil.gravimetry.trumpet import REFERENCE_WINDOWS_MIN, TrumpetConfig, TrumpetError, trumpet_curve

DENSITY = 0.998
RATE_UL_PER_H = 1000.0
S = 30.0


def series_from_flow(flow_ul_per_h: np.ndarray, evaporation_rate_mg_per_h: float = 0.0):
    """Balance readings every 30 s for the given per-interval flows (uL/h), minus evaporation."""
    t_s = np.arange(len(flow_ul_per_h) + 1) * S
    volume_ul = np.concatenate([[0.0], np.cumsum(flow_ul_per_h * S / 3600.0)])
    mass_g = 5.0 + volume_ul / 1000.0 * DENSITY - evaporation_rate_mg_per_h * 1e-3 * t_s / 3600.0
    return t_s, mass_g


def two_hours(relative_error: np.ndarray) -> np.ndarray:
    return RATE_UL_PER_H * (1.0 + relative_error)


def brute_force_ep(relative_error: np.ndarray, k: int) -> tuple[float, float]:
    values = [100.0 / k * sum(relative_error[j:j + k]) for j in range(len(relative_error) - k + 1)]
    return max(values), min(values)


def test_constant_error_gives_that_error_everywhere():
    t_s, mass_g = series_from_flow(two_hours(np.full(240, 0.03)))
    result = trumpet_curve(t_s, mass_g, RATE_UL_PER_H, TrumpetConfig(density_g_per_ml=DENSITY))
    assert result.mean_error_percent == pytest.approx(3.0, abs=1e-9)
    assert [w.window_min for w in result.windows] == list(REFERENCE_WINDOWS_MIN)
    for window in result.windows:
        assert window.ep_max_percent == pytest.approx(3.0, abs=1e-9)
        assert window.ep_min_percent == pytest.approx(3.0, abs=1e-9)


def test_window_counts_follow_the_standard():
    t_s, mass_g = series_from_flow(two_hours(np.zeros(240)))
    result = trumpet_curve(t_s, mass_g, RATE_UL_PER_H, TrumpetConfig(density_g_per_ml=DENSITY))
    # m = (T2 - P) / S + 1 with T2 = 60 min, S = 0.5 min
    assert [w.window_count for w in result.windows] == [int((60 - p) / 0.5) + 1 for p in REFERENCE_WINDOWS_MIN]
    assert [w.samples_per_window for w in result.windows] == [4, 10, 22, 38, 62]


def test_alternating_error_cancels_in_even_windows_and_trumpet_narrows():
    error = np.where(np.arange(240) % 2 == 0, 0.10, -0.10)
    t_s, mass_g = series_from_flow(two_hours(error))
    config = TrumpetConfig(density_g_per_ml=DENSITY, windows_min=(0.5, 1.5, 2.0))
    result = trumpet_curve(t_s, mass_g, RATE_UL_PER_H, config)
    single, three, four = result.windows
    assert (single.ep_max_percent, single.ep_min_percent) == pytest.approx((10.0, -10.0))
    assert (three.ep_max_percent, three.ep_min_percent) == pytest.approx((10.0 / 3, -10.0 / 3))
    assert (four.ep_max_percent, four.ep_min_percent) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert result.mean_error_percent == pytest.approx(0.0, abs=1e-9)


def test_only_the_second_hour_is_analysed_by_default():
    error = np.concatenate([np.full(120, -0.5), np.full(120, 0.02)])  # slow start-up in the first hour
    t_s, mass_g = series_from_flow(two_hours(error))
    result = trumpet_curve(t_s, mass_g, RATE_UL_PER_H, TrumpetConfig(density_g_per_ml=DENSITY))
    assert result.mean_error_percent == pytest.approx(2.0, abs=1e-9)
    first_hour = trumpet_curve(t_s, mass_g, RATE_UL_PER_H,
                               TrumpetConfig(density_g_per_ml=DENSITY, analysis_start_min=0))
    assert first_hour.mean_error_percent == pytest.approx(-50.0, abs=1e-9)
    t_min, flow = result.startup_curve()
    assert t_min[0] == pytest.approx(0.5) and flow[0] == pytest.approx(500.0)


def test_random_error_matches_brute_force():
    rng = np.random.default_rng(7)
    error = rng.normal(0.0, 0.05, 240)
    t_s, mass_g = series_from_flow(two_hours(error))
    result = trumpet_curve(t_s, mass_g, RATE_UL_PER_H, TrumpetConfig(density_g_per_ml=DENSITY))
    second_hour = error[120:]
    assert result.mean_error_percent == pytest.approx(100 * second_hour.mean(), abs=1e-9)
    for window in result.windows:
        assert (window.ep_max_percent, window.ep_min_percent) == pytest.approx(
            brute_force_ep(second_hour, window.samples_per_window), abs=1e-9)


def test_evaporation_correction_restores_the_true_flow():
    t_s, mass_g = series_from_flow(two_hours(np.zeros(240)), evaporation_rate_mg_per_h=2.0)
    uncorrected = trumpet_curve(t_s, mass_g, RATE_UL_PER_H, TrumpetConfig(density_g_per_ml=DENSITY))
    corrected = trumpet_curve(t_s, mass_g, RATE_UL_PER_H,
                              TrumpetConfig(density_g_per_ml=DENSITY, evaporation_rate_mg_per_h=2.0))
    assert uncorrected.mean_error_percent == pytest.approx(-100 * 2e-3 / DENSITY, rel=1e-6)
    assert corrected.mean_error_percent == pytest.approx(0.0, abs=1e-9)


def test_mass_to_volume_uses_density():
    volume = mass_to_volume_ul(np.array([1.0, 1.998]), np.array([0.0, 60.0]), initial_mass_g=1.0,
                               density_g_per_ml=0.998)
    assert volume == pytest.approx([0.0, 1000.0])


def test_short_log_names_what_is_missing():
    t_s, mass_g = series_from_flow(two_hours(np.zeros(150)))
    with pytest.raises(TrumpetError, match="needs 120 flow samples, the log has 30"):
        trumpet_curve(t_s, mass_g, RATE_UL_PER_H)


def test_irregular_spacing_is_rejected_with_the_reading():
    t_s, mass_g = series_from_flow(two_hours(np.zeros(240)))
    t_s = t_s.astype(float)
    t_s[10:] += 20.0
    with pytest.raises(TrumpetError, match="reading 10"):
        trumpet_curve(t_s, mass_g, RATE_UL_PER_H)


def test_bad_rate_and_config_are_rejected():
    t_s, mass_g = series_from_flow(two_hours(np.zeros(240)))
    with pytest.raises(TrumpetError, match="rate_ul_per_h"):
        trumpet_curve(t_s, mass_g, 0.0)
    with pytest.raises(TrumpetError, match="windows_min"):
        TrumpetConfig(windows_min=(0.0,))
