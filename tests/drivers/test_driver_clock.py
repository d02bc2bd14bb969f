"""Drivers keep heartbeat and polling time on the clock they are given (the rig's device clock), not on wall time:
a fake clock that stands still holds the NE-1000 heartbeat back, moving it past the interval sends one; the
Sartorius stable-reading poll waits on the clock, so a virtual clock is not slept through in wall time."""
from __future__ import annotations

import threading

import pytest

from drivers.clock import call_at_on_thread
from drivers.errors import ProtocolError
from drivers.ne1000_link import NE1000Link
from drivers.sartorius import STABLE_POLL_INTERVAL_S, SartoriusBalance

WAIT_FOR_THREAD_S = 10.0
"""Generous bound for the heartbeat thread to act once its clock says so (never an asserted duration)."""


class FakeClock:
    def __init__(self) -> None:
        self.t_s = 0.0
        self.sleeps = 0

    def now_s(self) -> float:
        return self.t_s

    def sleep_until_s(self, t_s: float) -> None:
        self.sleeps += 1
        self.t_s = max(self.t_s, t_s)

    def call_at(self, t_s, action):
        return call_at_on_thread(self, t_s, action)  # the test moves t_s by hand, from outside


class StatusAnsweringTransport:
    """An NE-1000 in basic mode at address 0 answering every request with `00S`."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.written = threading.Event()
        self._reply = b""

    def write(self, data: bytes) -> None:
        self.requests.append(data)
        self._reply = b"\x0200S\x03"
        self.written.set()

    def read_until(self, terminator: bytes, timeout_s: float | None = None, max_size_bytes: int = 4096) -> bytes:
        reply, self._reply = self._reply, b""
        return reply

    def read_available(self) -> bytes:
        return b""


def _quiet_for_a_while(transport: StatusAnsweringTransport) -> bool:
    """True if nothing is written while the heartbeat thread looks several times (50 ms apart)."""
    transport.written.clear()
    return not transport.written.wait(0.3)


def test_ne1000_heartbeat_follows_the_link_clock():
    clock, transport = FakeClock(), StatusAnsweringTransport()
    link = NE1000Link(transport, 0, 1.0, 0, clock=clock)
    link.start_heartbeat(10.0)
    try:
        assert _quiet_for_a_while(transport) and transport.requests == []  # the clock stands still
        clock.t_s = 9.9
        assert _quiet_for_a_while(transport) and transport.requests == []
        transport.written.clear()
        clock.t_s = 10.0
        assert transport.written.wait(WAIT_FOR_THREAD_S)
        assert transport.requests == [b"0\r"]  # one status query
        assert _quiet_for_a_while(transport) and transport.requests == [b"0\r"]  # fed at t = 10 s: next at 20 s
        transport.written.clear()
        clock.t_s = 20.0
        assert transport.written.wait(WAIT_FOR_THREAD_S)
        assert transport.requests == [b"0\r", b"0\r"]
    finally:
        link.stop_heartbeat()


class UnstableBalanceResource:
    """A pyvisa session of an SBI balance whose readings never settle (no unit: unstable)."""

    timeout = 2000
    bytes_in_buffer = 0

    def __init__(self) -> None:
        self.prints = 0

    def write(self, message: str) -> int:
        self.prints += message == "\x1bP"
        return len(message)

    def read(self) -> str:
        return "+   12.345    \r\n"

    def close(self) -> None:
        pass


def test_sartorius_stable_reading_polls_on_the_balance_clock():
    clock = FakeClock()
    balance = SartoriusBalance("ASRL::fake::INSTR", timeout_s=0.5, stable_timeout_s=0.3, clock=clock)
    balance._resource = resource = UnstableBalanceResource()
    with pytest.raises(ProtocolError, match=r"no stable reading within 0\.3 s"):
        balance.read_stable_mass_g()
    polls = round(0.3 / STABLE_POLL_INTERVAL_S)
    assert polls - 1 <= clock.sleeps <= polls and resource.prints == clock.sleeps + 1
    assert 0.3 - STABLE_POLL_INTERVAL_S <= clock.t_s <= 0.3 + 1e-9
