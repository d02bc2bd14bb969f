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
from typing import Protocol, runtime_checkable
from collections.abc import Callable

from firmware_sim.units import S_PER_H, UL_PER_ML
from hil.emulators.balance_config import BalanceEmulatorConfig


@runtime_checkable
class PumpOutflow(Protocol):
    """A pump whose outflow a balance weighs, with the breakpoints of that outflow (EmulatedSyringePump)."""

    def dispensed_volume_ul(self) -> float: ...

    def outflow_breakpoints_ul(self, until_s: float) -> list[tuple[float, float]]: ...


VolumeSource = PumpOutflow | Callable[[], float] | None
"""What the pan collects: a pump with its outflow breakpoints (followed exactly), a bare volume callable (followed
at the times the cell is tracked), or None (a static load)."""


@dataclass(frozen=True)
class Reading:
    gross_g: float
    """Load relative to the factory zero, as displayed (lag and noise included)."""
    stable: bool


class WeighingCell:
    def __init__(self, config: BalanceEmulatorConfig, volume_source_ul: VolumeSource, t_s: float) -> None:
        self.config = config
        self._breakpoints_ul: Callable[[float], list[tuple[float, float]]] | None = None
        if isinstance(volume_source_ul, PumpOutflow):
            self._breakpoints_ul = volume_source_ul.outflow_breakpoints_ul
            self._breakpoints_ul(t_s)
            volume_source_ul = volume_source_ul.dispensed_volume_ul
        self._volume_source_ul = volume_source_ul
        self._rng = random.Random(config.seed)
        self.added_load_g = 0.0
        self.unstable_until_s = -math.inf
        self._t_s = t_s
        self._true_g = self.load_g(t_s)
        self._lag_g = 0.0

    @property
    def weighs_outflow(self) -> bool:
        """A pump or a volume callable feeds the pan; False for a static load."""
        return self._volume_source_ul is not None

    def load_g(self, t_s: float) -> float:
        return self._load_with_volume_g(self._volume_source_ul() if self._volume_source_ul is not None else 0.0, t_s)

    def _load_with_volume_g(self, volume_ul: float, t_s: float) -> float:
        t_h = t_s / S_PER_H
        liquid_g = self.config.density_g_per_ml * volume_ul / UL_PER_ML
        return (self.config.container_mass_g + liquid_g + self.added_load_g
                + (self.config.drift_g_per_h - self.config.evaporation_g_per_h) * t_h)

    def track(self, t_s: float) -> float:
        """Bring the settling filter up to t_s; returns that time. With a pump's outflow breakpoints the load
        history is followed exactly, whenever the cell is tracked; with a bare volume callable the load is
        taken as linear between tracked times, so tracking often (the serving thread does) keeps it close."""
        t_s = max(t_s, self._t_s)
        true_g = self.load_g(t_s)
        self.follow_recorded_load(t_s)
        self._filter_to(t_s, true_g)
        return t_s

    def follow_recorded_load(self, t_s: float) -> None:
        """Bring the filter through the pump's outflow breakpoints up to t_s (and no further: the cell's time
        then depends on the pump's history alone, never on when the serving thread happened to look)."""
        if self._breakpoints_ul is None:
            return
        for point_t_s, volume_ul in self._breakpoints_ul(t_s):
            if point_t_s >= self._t_s:
                self._filter_to(point_t_s, self._load_with_volume_g(volume_ul, point_t_s))

    def serving_tick(self, t_s: float) -> None:
        """What the serving thread does between requests: keep up with the load."""
        if self._breakpoints_ul is None:
            self.track(t_s)
        else:
            self.follow_recorded_load(t_s)

    def _filter_to(self, t_s: float, true_g: float) -> None:
        """Solve the settling filter exactly for a load changing linearly from the last point to (t_s, true_g)."""
        dt_s = t_s - self._t_s
        if dt_s > 0:
            tau_s = self.config.settling_time_constant_s
            ramp_lag_g = (true_g - self._true_g) / dt_s * tau_s
            self._lag_g = ramp_lag_g + (self._lag_g - ramp_lag_g) * math.exp(-dt_s / tau_s)
        self._t_s, self._true_g = t_s, true_g

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
