"""A driver wired straight to an emulator core, in virtual time, with line noise on the replies.

NoisyLink hands each write to the core and each chunk the core answers back to the driver, mutated at random
(hil.fuzz.mutations). No read ever sleeps: a read the buffered bytes cannot satisfy moves the virtual clock on by
its own timeout (the core gets polled at the new time) and raises the typed timeout, as a real port would. The
link checks what the fuzzer asks of the drivers: every read has a finite timeout no longer than the driver's
longest, and the reads of one driver call together wait no longer than one timeout per request sent
[SR-DRV-002]; a read past that bound raises CheckFailed, which ends any loop that would otherwise never stop.

NoisyCoreTransport is the drivers.transport.Transport for the serial drivers; NoisyVisaResource stands in for the
pyvisa session of the MT-SICS balance driver (read/write/read_bytes/bytes_in_buffer/timeout in ms).
"""
from __future__ import annotations

import math
from typing import Protocol

import pyvisa

from drivers.errors import DeviceTimeout, TransportError
from firmware_sim.clock import VirtualClock
from firmware_sim.units import MS_PER_S
from hil.fuzz.emulator_checks import CheckFailed
from hil.fuzz.mutations import Chooser, mutate

NOISE_ONE_IN = (2, 4, 16, 64)
"""A case mutates one reply chunk in n, n drawn from these: noisy cases hit the first exchanges, quiet ones get
far enough to hit the later ones."""


class Core(Protocol):
    def receive(self, data: bytes, t_s: float) -> bytes: ...

    def poll(self, t_s: float) -> bytes: ...


class NoisyLink:
    """The byte path shared by both adapters: core output, mutated, buffered, read in virtual time."""

    def __init__(self, core: Core, clock: VirtualClock, pick: Chooser, max_timeout_s: float) -> None:
        self.core = core
        self.clock = clock
        self.pick = pick
        self.max_timeout_s = max_timeout_s
        self.noise_one_in = pick.choice(NOISE_ONE_IN)
        self.replies: list[bytes] = []
        """Every reply chunk delivered, as delivered (mutated or not): the frames of this case."""
        self.rx = bytearray()
        self.call_waited_s = 0.0
        self.call_requests = 0

    def begin_call(self) -> None:
        """A driver call starts: its reads share a budget of one timeout per request it sends."""
        self.call_waited_s = 0.0
        self.call_requests = 0

    def now_s(self) -> float:
        return self.clock.now_s()

    def send(self, data: bytes) -> None:
        self.call_requests += 1
        self.deliver(self.core.receive(data, self.now_s()))

    def deliver(self, out: bytes) -> None:
        if out:
            if self.pick.integer(1, self.noise_one_in) == 1:
                out = mutate(out, self.pick)
            self.replies.append(out)
            self.rx += out

    def refresh(self) -> None:
        self.deliver(self.core.poll(self.now_s()))

    def wait(self, timeout_s: float | None, default_s: float, what: str) -> None:
        """Nothing (more) to read: the read waits its whole timeout in virtual time."""
        wait_s = default_s if timeout_s is None else timeout_s
        if not (math.isfinite(wait_s) and 0 <= wait_s <= self.max_timeout_s):
            raise CheckFailed(f"{what} with timeout {wait_s!r} s: not a finite wait up to the driver's longest "
                              f"timeout {self.max_timeout_s:g} s")
        self.call_waited_s += wait_s
        budget_s = self.max_timeout_s * (self.call_requests + 1)
        if self.call_waited_s > budget_s + 1e-9:
            raise CheckFailed(f"one driver call waited {self.call_waited_s:g} s on reads for {self.call_requests} "
                              f"request(s): more than {budget_s:g} s, one timeout per request")
        self.clock.advance_s(wait_s)
        self.refresh()

    def take(self, size_bytes: int) -> bytes:
        data = bytes(self.rx[:size_bytes])
        del self.rx[:size_bytes]
        return data


class NoisyCoreTransport:
    """drivers.transport.Transport on a NoisyLink."""

    def __init__(self, link: NoisyLink, default_timeout_s: float) -> None:
        self.link = link
        self.default_timeout_s = default_timeout_s
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        self._open = True

    def close(self) -> None:
        self._open = False

    def _require_open(self) -> None:
        if not self._open:
            raise TransportError("noisy link is not open (call open() first)")

    def write(self, data: bytes) -> None:
        self._require_open()
        self.link.send(bytes(data))

    def read_exact(self, size_bytes: int, timeout_s: float | None = None) -> bytes:
        self._require_open()
        self.link.refresh()
        if len(self.link.rx) < size_bytes:
            self.link.wait(timeout_s, self.default_timeout_s, f"read_exact({size_bytes})")
            if len(self.link.rx) < size_bytes:
                raise DeviceTimeout(f"noisy link: {size_bytes} bytes expected, got {self.link.take(size_bytes)!r}")
        return self.link.take(size_bytes)

    def read_until(self, terminator: bytes, timeout_s: float | None = None, max_size_bytes: int = 4096) -> bytes:
        self._require_open()
        self.link.refresh()
        for attempt in range(2):
            end = self.link.rx.find(terminator)
            if 0 <= end <= max_size_bytes - len(terminator):
                return self.link.take(end + len(terminator))
            if attempt == 0 and len(self.link.rx) < max_size_bytes:
                self.link.wait(timeout_s, self.default_timeout_s, f"read_until({terminator!r})")
        raise DeviceTimeout(f"noisy link: no {terminator!r}, got {self.link.take(max_size_bytes)!r}")

    def read_available(self) -> bytes:
        self._require_open()
        self.link.refresh()
        return self.link.take(len(self.link.rx))


class NoisyVisaResource:
    """The part of a pyvisa MessageBasedResource the MT-SICS driver uses, on a NoisyLink (CRLF termination)."""

    read_termination = "\r\n"
    write_termination = "\r\n"

    def __init__(self, link: NoisyLink, timeout_ms: int) -> None:
        self.link = link
        self.timeout = timeout_ms

    def write(self, message: str) -> int:
        data = (message + self.write_termination).encode("ascii")
        self.link.send(data)
        return len(data)

    def read(self) -> str:
        self.link.refresh()
        end_bytes = self.read_termination.encode()
        for attempt in range(2):
            end = self.link.rx.find(end_bytes)
            if end >= 0:
                return self.link.take(end + len(end_bytes)).decode("ascii")  # non-ASCII: UnicodeDecodeError
            if attempt == 0:
                self.link.wait(self.timeout / MS_PER_S, self.timeout / MS_PER_S, "visa read()")
        self.link.take(len(self.link.rx))
        raise pyvisa.errors.VisaIOError(pyvisa.constants.StatusCode.error_timeout)

    @property
    def bytes_in_buffer(self) -> int:
        self.link.refresh()
        return len(self.link.rx)

    def read_bytes(self, count: int) -> bytes:
        return self.link.take(count)

    def close(self) -> None:
        pass
