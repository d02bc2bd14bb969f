"""What the weighing cell sees: load from the linked pump's outflow, evaporation and drift, seen
through a first-order settling filter plus noise.

The filter is solved exactly for a load that changes linearly between two samples, so readings
taken seconds or 30 virtual days apart are equally right. A reading is stable when the filter lag
and the noise sample are both inside the stability band.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Callable

from hil.emulators.balance_config import BalanceConfig


@dataclass(frozen=True)
class Reading:
    gross_g: float
    """Load relative to the factory zero, as displayed (lag and noise included)."""
    stable: bool


class WeighingCell:
    def __init__(self, config: BalanceConfig, volume_source_ul: Callable[[], float] | None, t_s: float) -> None:
        self.config = config
        self._volume_source_ul = volume_source_ul
        self._rng = random.Random(config.seed)
        self.added_load_g = 0.0
        self.unstable_until_s = -math.inf
        self._t_s = t_s
        self._true_g = self.load_g(t_s)
        self._lag_g = 0.0

    def load_g(self, t_s: float) -> float:
        volume_ul = self._volume_source_ul() if self._volume_source_ul is not None else 0.0
        t_h = t_s / 3600.0
        liquid_g = self.config.density_g_per_ml * volume_ul / 1000.0
        return (self.config.container_mass_g + liquid_g + self.added_load_g
                + (self.config.drift_g_per_h - self.config.evaporation_g_per_h) * t_h)

    def track(self, t_s: float) -> float:
        """Bring the settling filter up to t_s; returns that time. Tracking often (the serving
        thread does) keeps the piecewise-linear load assumption close to the real load history."""
        t_s = max(t_s, self._t_s)
        true_g = self.load_g(t_s)
        dt_s = t_s - self._t_s
        if dt_s > 0:
            tau_s = self.config.settling_time_constant_s
            ramp_lag_g = (true_g - self._true_g) / dt_s * tau_s
            self._lag_g = ramp_lag_g + (self._lag_g - ramp_lag_g) * math.exp(-dt_s / tau_s)
        self._t_s, self._true_g = t_s, true_g
        return t_s

    def sample(self, t_s: float) -> Reading:
        """A displayed reading: the tracked value plus one noise draw."""
        t_s = self.track(t_s)
        true_g = self._true_g
        noise_g = self._rng.gauss(0.0, self.config.noise_sd_g) if self.config.noise_sd_g > 0 else 0.0
        band_g = self.config.stability_band_g
        stable = abs(self._lag_g) <= band_g and abs(noise_g) <= band_g and t_s >= self.unstable_until_s
        return Reading(true_g - self._lag_g + noise_g, stable)

    def add_load_g(self, mass_g: float, t_s: float) -> None:
        """Put a mass on the pan (or take one off): a step the display has to settle to."""
        self.sample(t_s)
        self.added_load_g += mass_g
        self._true_g += mass_g
        self._lag_g += mass_g
