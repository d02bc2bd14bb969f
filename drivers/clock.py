"""The time a driver keeps for heartbeats and polling, as a port: the rig hands in its device clock (virtual on an
emulated rig, wall time on the bench), so the same driver code runs in either. Reply deadlines are not on it: they
bound waits for bytes on a real port (wall time) and stay in drivers.transport and the links."""
from __future__ import annotations

import time
from typing import Protocol


class DriverClock(Protocol):
    def now_s(self) -> float:
        """Seconds since the clock's epoch."""
        ...

    def sleep_until_s(self, t_s: float) -> None:
        """Return once now_s() >= t_s (a virtual clock jumps there)."""
        ...


class MonotonicClock:
    """Wall time (time.monotonic; its epoch is arbitrary, drivers use differences only): the clock of a driver built
    without one."""

    def now_s(self) -> float:
        return time.monotonic()

    def sleep_until_s(self, t_s: float) -> None:
        time.sleep(max(t_s - time.monotonic(), 0.0))
