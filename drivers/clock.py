"""The time a driver keeps for heartbeats and polling, as a port: the rig hands in its device clock (virtual on an
emulated rig, wall time on the bench), so the same driver code runs in either. Reply deadlines are not on it: they
bound waits for bytes on a real port (wall time) and stay in drivers.transport and the links.

A timed action (the NE-1000 safe-mode heartbeat) is `call_at` on the clock: a wall clock runs it on a timer thread
when its time comes; a virtual clock runs it when it is advanced past that time, at that time, in the thread that
advances it (so a jump over an hour of virtual time sends every heartbeat due in that hour, each at its own time)."""
from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable
from collections.abc import Callable

TIMER_POLL_S = 0.05
"""A wall-time timer thread looks at its clock at least this often (wall seconds)."""


@runtime_checkable
class DriverClock(Protocol):
    def now_s(self) -> float:
        """Seconds since the clock's epoch."""
        ...

    def sleep_until_s(self, t_s: float) -> None:
        """Return once now_s() >= t_s (a virtual clock jumps there)."""
        ...

    def call_at(self, t_s: float, action: Callable[[], None]) -> Callable[[], None]:
        """Run action() once, when now_s() reaches t_s; returns cancel(). An action already starting when cancel() is
        called may still run: it checks its owner's state under the owner's lock (drivers.ne1000_link)."""
        ...


def call_at_on_thread(clock: DriverClock, t_s: float, action: Callable[[], None]) -> Callable[[], None]:
    """call_at of a clock that moves by itself (wall time, compressed or not): a daemon thread looks at the clock
    every TIMER_POLL_S wall seconds at most and runs action() on that thread once now_s() >= t_s."""
    cancelled = threading.Event()

    def wait_then_act() -> None:
        while not cancelled.wait(min(max(t_s - clock.now_s(), 0.0), TIMER_POLL_S)):
            if clock.now_s() >= t_s:
                action()
                return

    threading.Thread(target=wait_then_act, name="driver-clock-timer", daemon=True).start()
    return cancelled.set


class MonotonicClock:
    """Wall time (time.monotonic; its epoch is arbitrary, drivers use differences only): the clock of a driver built
    without one."""

    def now_s(self) -> float:
        return time.monotonic()

    def sleep_until_s(self, t_s: float) -> None:
        time.sleep(max(t_s - time.monotonic(), 0.0))

    def call_at(self, t_s: float, action: Callable[[], None]) -> Callable[[], None]:
        return call_at_on_thread(self, t_s, action)
