"""The time seam: one Clock protocol, a virtual clock for CI and what-if runs, a wall clock for the bench.

The firmware, the device emulators and the harness all read the same clock object, so a virtual
30-day run moves every party forward together and no one sleeps.
"""
from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from typing import Protocol
from collections.abc import Callable

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
    """Event-driven time: sleeping jumps the clock forward at once. Never runs backwards.

    call_at(t_s, action): action() runs when the clock is advanced to t_s or past it, with the clock at t_s, in the
    thread that advances it; actions due within one jump run in time order, each at its own time (a device driver's
    heartbeat is sent when due however far the clock jumps). An action may advance the clock or schedule another."""

    def __init__(self, start_s: float = 0.0) -> None:
        self._now_s = float(start_s)
        lock = threading.Lock()
        self._acquire, self._release = lock.acquire, lock.release
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        """Heap of (due time, sequence, action): equal times run in the order they were scheduled."""
        self._next_due_s = math.inf
        """The due time of the heap's head (inf: none), kept with the heap under the lock and read without it."""
        self._sequence = itertools.count()

    def now_s(self) -> float:
        return self._now_s

    def sleep_until_s(self, t_s: float) -> None:
        # Writers (the firmware, emulator threads) serialise on the lock, so the time is a monotonic max;
        # readers need no lock (one attribute load each: the time, the next timer's due time). Nothing between
        # acquire and release can raise: the conversion comes first and a float comparison and store cannot fail.
        t_s = float(t_s)
        if self._next_due_s <= t_s:
            self._run_timers_until(t_s)
        if t_s > self._now_s:
            self._acquire()
            if t_s > self._now_s:
                self._now_s = t_s
            self._release()

    def advance_s(self, dt_s: float) -> None:
        if dt_s < 0:
            raise ValueError(f"VirtualClock cannot run backwards (dt_s={dt_s})")
        self.sleep_until_s(self._now_s + dt_s)

    def call_at(self, t_s: float, action: Callable[[], None]) -> Callable[[], None]:
        """Schedule action() at t_s (a time already passed: at the next advance); returns cancel()."""
        entry = (float(t_s), next(self._sequence), action)
        self._acquire()
        heapq.heappush(self._timers, entry)
        self._next_due_s = self._timers[0][0]
        self._release()

        def cancel() -> None:
            self._acquire()
            if entry in self._timers:
                self._timers.remove(entry)
                heapq.heapify(self._timers)
                self._next_due_s = self._timers[0][0] if self._timers else math.inf
            self._release()
        return cancel

    def _run_timers_until(self, t_s: float) -> None:
        """Run the actions due up to t_s in time order, the clock set to each one's time (never backwards)."""
        while True:
            self._acquire()
            if not self._timers or self._timers[0][0] > t_s:
                self._release()
                return
            due_s, _, action = heapq.heappop(self._timers)
            self._next_due_s = self._timers[0][0] if self._timers else math.inf
            if due_s > self._now_s:
                self._now_s = due_s
            self._release()
            action()


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
