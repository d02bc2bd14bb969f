"""Clocks by rig `clock:` kind. The wall clock may run compressed: scenario time passes `factor` times faster
than wall time (rates sent to the pump are scaled by the same factor, see hil.adapters.actuator). Devices keep
plain wall time, emulated ones too (hil.rig.registry.BuildContext.device_clock)."""
from __future__ import annotations

import time
from collections.abc import Callable

from drivers.clock import call_at_on_thread
from firmware_sim.clock import Clock, VirtualClock


class CompressedWallClock:
    """Monotonic wall time since construction, multiplied by factor (1.0: plain wall time)."""

    def __init__(self, factor: float = 1.0, max_sleep_s: float = 0.5) -> None:
        if not factor >= 1.0:
            raise ValueError(f"time compression factor must be >= 1, got {factor}")
        self.factor = float(factor)
        self._max_sleep_s = max_sleep_s
        self._t0 = time.monotonic()

    def now_s(self) -> float:
        return (time.monotonic() - self._t0) * self.factor

    def start_now(self) -> None:
        """Make this moment time zero (the rig is open: scenario time starts when the devices are ready, so the
        wall time spent opening them is not taken from the scenario's first steps, times the compression)."""
        self._t0 = time.monotonic()

    def sleep_until_s(self, t_s: float) -> None:
        remaining_s = t_s - self.now_s()
        while remaining_s > 0:
            time.sleep(min(remaining_s / self.factor, self._max_sleep_s))
            remaining_s = t_s - self.now_s()

    def call_at(self, t_s: float, action: Callable[[], None]) -> Callable[[], None]:
        """action() on a timer thread once now_s() >= t_s (drivers.clock.DriverClock); returns cancel()."""
        return call_at_on_thread(self, t_s, action)


def make_clock(kind: str, time_compression_factor: float) -> Clock:
    if kind == "virtual":
        if time_compression_factor != 1.0:
            raise ValueError("time compression applies to wall-clock rigs only")
        return VirtualClock()
    if kind == "wall":
        return CompressedWallClock(time_compression_factor)
    raise ValueError(f"unknown clock kind {kind!r}; known: virtual, wall")
