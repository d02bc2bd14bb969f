"""IEC 60601-2-24 trumpet curve and start-up curve from balance readings.

The method's numbers are marked unconfirmed in the reference (clinical-and-device.md 4.1, [U]): the sample
interval, the observation windows and the analysis period are parameters with the reference values as defaults.

- Flow per sample: Q_i = (V_i - V_{i-1}) / (t_i - t_{i-1}), V from mass by density (conversion.py).
- Mean error over the analysis period: A = 100 (mean(Q) - r) / r.
- For an observation window of P minutes, k = P / S samples; over every run of k consecutive samples in
  the analysis period, E_j = (100 / k) sum (Q_i - r) / r; Ep(max) = max_j E_j, Ep(min) = min_j E_j.
- Start-up curve: Q_i over the whole run.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from firmware_sim.units import S_PER_H, S_PER_MIN
from hil.gravimetry.conversion import WATER_DENSITY_G_PER_ML, mass_to_volume_ul

REFERENCE_WINDOWS_MIN = (2.0, 5.0, 11.0, 19.0, 31.0)
SPACING_TOLERANCE_FRACTION = 0.1


class TrumpetError(ValueError):
    """The balance series cannot be analysed as configured; the message says why."""


@dataclass(frozen=True)
class TrumpetConfig:
    sample_interval_s: float = 30.0
    windows_min: tuple[float, ...] = REFERENCE_WINDOWS_MIN
    analysis_start_min: float = 60.0        # the second hour of a two-hour run
    analysis_duration_min: float = 60.0
    density_g_per_ml: float = WATER_DENSITY_G_PER_ML
    evaporation_rate_mg_per_h: float = 0.0

    def __post_init__(self) -> None:
        if self.sample_interval_s <= 0:
            raise TrumpetError(f"sample_interval_s must be > 0, got {self.sample_interval_s}")
        if not self.windows_min or min(self.windows_min) <= 0:
            raise TrumpetError(f"windows_min must be positive minutes, got {self.windows_min}")
        if self.analysis_start_min < 0 or self.analysis_duration_min <= 0:
            raise TrumpetError("analysis_start_min must be >= 0 and analysis_duration_min > 0")


@dataclass(frozen=True)
class TrumpetWindow:
    window_min: float
    samples_per_window: int
    window_count: int
    ep_max_percent: float
    ep_min_percent: float


@dataclass(frozen=True)
class TrumpetResult:
    rate_ul_per_h: float
    mean_error_percent: float               # A over the analysis period
    windows: tuple[TrumpetWindow, ...]
    config: TrumpetConfig
    t_s: np.ndarray = field(repr=False)      # end time of each flow interval (whole run)
    flow_ul_per_h: np.ndarray = field(repr=False)

    def startup_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(t_min, flow_ul_per_h) over the whole run."""
        return self.t_s / S_PER_MIN, self.flow_ul_per_h


def flow_from_mass(t_s: np.ndarray, mass_g: np.ndarray, config: TrumpetConfig) -> tuple[np.ndarray, np.ndarray]:
    """(t_s of each interval end, flow in uL/h) from consecutive balance readings."""
    t = np.asarray(t_s, dtype=float)
    mass = np.asarray(mass_g, dtype=float)
    if t.shape != mass.shape or t.ndim != 1 or len(t) < 2:
        raise TrumpetError("need at least two balance readings with one time each")
    if not np.all(np.isfinite(t)) or not np.all(np.isfinite(mass)):
        raise TrumpetError("balance readings contain NaN or infinite values")
    dt = np.diff(t)
    if np.any(dt <= 0):
        index = int(np.argmax(dt <= 0)) + 1
        raise TrumpetError(f"time must increase: reading {index} at t_s {t[index]} is not after {t[index - 1]}")
    off = np.abs(dt - config.sample_interval_s) > SPACING_TOLERANCE_FRACTION * config.sample_interval_s
    if np.any(off):
        index = int(np.argmax(off)) + 1
        raise TrumpetError(f"readings must be {config.sample_interval_s} s apart: reading {index} at t_s {t[index]} "
                           f"is {dt[index - 1]:.3g} s after the previous one")
    volume_ul = mass_to_volume_ul(mass, t, initial_mass_g=float(mass[0]), density_g_per_ml=config.density_g_per_ml,
                                  evaporation_rate_mg_per_h=config.evaporation_rate_mg_per_h)
    return t[1:], np.diff(volume_ul) / (dt / S_PER_H)


def trumpet_curve(t_s: np.ndarray, mass_g: np.ndarray, rate_ul_per_h: float,
                  config: TrumpetConfig = TrumpetConfig()) -> TrumpetResult:
    if not rate_ul_per_h > 0:
        raise TrumpetError(f"rate_ul_per_h must be > 0, got {rate_ul_per_h}")
    t_end, flow = flow_from_mass(t_s, mass_g, config)
    start_s = float(np.asarray(t_s, dtype=float)[0]) + config.analysis_start_min * S_PER_MIN
    stop_s = start_s + config.analysis_duration_min * S_PER_MIN
    in_period = (t_end > start_s + 1e-9) & (t_end <= stop_s + 1e-9)
    period_flow = flow[in_period]
    expected = int(round(config.analysis_duration_min * S_PER_MIN / config.sample_interval_s))
    if len(period_flow) < expected:
        raise TrumpetError(
            f"analysis period {config.analysis_start_min}-{config.analysis_start_min + config.analysis_duration_min}"
            f" min (from the first reading) needs {expected} flow samples, the log has {len(period_flow)} there "
            f"(it runs {(float(t_end[-1]) - start_s) / S_PER_MIN + config.analysis_start_min:.1f} min from its "
            f"first reading)"
        )
    relative_error = (period_flow - rate_ul_per_h) / rate_ul_per_h
    windows = tuple(_window(relative_error, w, config) for w in config.windows_min)
    mean_error = 100.0 * (float(np.mean(period_flow)) - rate_ul_per_h) / rate_ul_per_h
    return TrumpetResult(rate_ul_per_h=rate_ul_per_h, mean_error_percent=mean_error, windows=windows, config=config,
                         t_s=t_end, flow_ul_per_h=flow)


def _window(relative_error: np.ndarray, window_min: float, config: TrumpetConfig) -> TrumpetWindow:
    k = int(round(window_min * S_PER_MIN / config.sample_interval_s))
    if k < 1 or k > len(relative_error):
        raise TrumpetError(f"observation window {window_min} min ({k} samples) does not fit the analysis period "
                           f"of {len(relative_error)} samples")
    sums = np.convolve(relative_error, np.ones(k), mode="valid")
    errors_percent = 100.0 * sums / k
    return TrumpetWindow(window_min=window_min, samples_per_window=k, window_count=len(errors_percent),
                         ep_max_percent=float(np.max(errors_percent)), ep_min_percent=float(np.min(errors_percent)))
