"""The time seam: one Clock protocol, a virtual clock for CI and what-if runs, a wall clock for the bench.

The firmware, the device emulators and the harness all read the same clock object, so a virtual
30-day run moves every party forward together and no one sleeps.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol

TIME_EPS_S = 1e-6
"""Clock times or intervals closer than this are the same (float seconds over a year resolve to about 4e-9 s)."""


class Clock(Protocol):
    def now_s(self) -> float:
        """Seconds since the clock's epoch (the start of the run)."""
        ...

    def sleep_until_s(self, t_s: float) -> None:
        """Return once now_s() >= t_s. A time already passed returns at once."""
        ...


class VirtualClock:
    """Event-driven time: sleeping jumps the clock forward at once. Never runs backwards."""

    def __init__(self, start_s: float = 0.0) -> None:
        self._now_s = float(start_s)
        lock = threading.Lock()
        self._acquire, self._release = lock.acquire, lock.release

    def now_s(self) -> float:
        return self._now_s

    def sleep_until_s(self, t_s: float) -> None:
        # Writers (the firmware, emulator threads) serialise on the lock, so the time is a monotonic max;
        # readers need no lock (one attribute load). Nothing between acquire and release can raise: the
        # conversion comes first and a float comparison and store cannot fail.
        t_s = float(t_s)
        if t_s > self._now_s:
            self._acquire()
            if t_s > self._now_s:
                self._now_s = t_s
            self._release()

    def advance_s(self, dt_s: float) -> None:
        if dt_s < 0:
            raise ValueError(f"VirtualClock cannot run backwards (dt_s={dt_s})")
        self.sleep_until_s(self._now_s + dt_s)


class WallClock:
    """Monotonic wall time since construction, for bench runs."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()

    def now_s(self) -> float:
        return time.monotonic() - self._t0

    def sleep_until_s(self, t_s: float) -> None:
        remaining_s = t_s - self.now_s()
        while remaining_s > 0:
            time.sleep(min(remaining_s, 0.5))
            remaining_s = t_s - self.now_s()
