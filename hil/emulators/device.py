"""What every emulated device shares: the clock, one lock, link faults, scheduled faults, the server (pty or network).

A device core is pure (bytes in, bytes out, time passed in as t_s); this class serialises access to
it from the serving thread and from the harness (which may advance a VirtualClock concurrently), and
routes `inject_fault` either to the link (byte faults, disconnect) or to the core (physical faults).
"""
from __future__ import annotations

import itertools
import threading
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from collections.abc import Iterable

from firmware_sim.clock import Clock
from hil.emulators.faults import (LINK_FAULTS, Fault, LinkFaults, TO_HOST, FROM_HOST, non_negative_float,
                                  parse_fault, reject_unknown_params)
from hil.emulators.net_address import ListenAddress
from hil.emulators.net_server import NetworkServer
from hil.emulators.pty_server import PtyServer
from hil.emulators.syringe import Syringe
from hil.emulators.wire import EIGHT_N_ONE, DeviceCallbacks, DeviceServer

BYTE_FRAME_8N1_BITS = 10
"""Bits on the line per byte sent 8N1: start bit, 8 data bits, stop bit."""
FaultSpec = tuple[Fault | str, dict]


class DeviceCore(Protocol):
    FAULTS: ClassVar[dict[Fault, str]]
    """Device fault -> description."""

    def receive(self, data: bytes, t_s: float) -> bytes: ...

    def poll(self, t_s: float) -> bytes: ...

    def validate_fault(self, name: Fault, params: dict) -> None: ...

    def apply_fault(self, name: Fault, t_s: float, params: dict) -> bytes: ...

    def baud(self) -> int: ...


class PumpCoreProtocol(DeviceCore, Protocol):
    syringe: Syringe


CoreT = TypeVar("CoreT", bound=DeviceCore)
PumpCoreT = TypeVar("PumpCoreT", bound=PumpCoreProtocol)


class EmulatedDevice(Generic[CoreT]):
    """Base of EmulatedNE1000, EmulatedGrbl and EmulatedBalance."""

    device_name = "device"
    config: Any
    """The emulator's own configuration dataclass (NE1000Config, GrblConfig, BalanceEmulatorConfig ...)."""

    def __init__(
        self,
        clock: Clock,
        core: CoreT,
        byte_timing: bool = False,
        faults: Iterable[FaultSpec] = (),
        poll_interval_s: float = 0.01,
    ) -> None:
        self.clock = clock
        self.core = core
        self.byte_timing = byte_timing
        self.poll_interval_s = poll_interval_s
        self._lock = threading.RLock()
        self._link = LinkFaults()
        self._scheduled: list[tuple[float, int, Fault, dict]] = []
        self._scheduled_order = itertools.count()  # ties at one time keep injection order; dicts never compared
        self._outbox = bytearray()
        self._last_t_s = clock.now_s()
        self._server: DeviceServer | None = None
        self.disconnected_at_s: float | None = None
        """When its disconnect fault closed the device's end (clock time), like a pulled cable; None: it was not."""
        for name, params in faults:
            self.inject_fault(name, **params)

    # --- public API -------------------------------------------------------------------------
    def start(self, listen: ListenAddress | None = None) -> str:
        """Serve the device from a thread and return what the host opens: a pseudo-terminal's path, or with
        listen a socket:// or rfc2217:// URL (hil.emulators.net_server)."""
        callbacks = DeviceCallbacks(self.device_name, self._on_bytes, self._on_tick, self._byte_time_s,
                                    self._link.next_reply_delay_s, self.core.baud, self.line_framing)
        server = PtyServer(callbacks, self.poll_interval_s) if listen is None else NetworkServer(
            callbacks, listen, self.poll_interval_s)
        path = server.start()
        self._server = server
        return path

    def line_framing(self) -> str:
        """Data bits, parity and stop bits the device's UART uses (an RFC 2217 host must ask for the same)."""
        return EIGHT_N_ONE

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    @property
    def path(self) -> str | None:
        return self._server.path if self._server is not None else None

    @property
    def serving(self) -> bool:
        return self._server is not None and self._server.running

    @property
    def error(self) -> BaseException | None:
        """What ended the serving thread, if it did not stop on request."""
        return self._server.error if self._server is not None else None

    def fault_names(self) -> dict[Fault, str]:
        """Every fault inject_fault accepts, with what it does."""
        return {**LINK_FAULTS, **self.core.FAULTS}

    def inject_fault(self, name: Fault | str, at_s: float | None = None, **params: object) -> None:
        """Inject a fault now, or at clock time at_s. A name that is not one of this device's faults, or unknown
        parameters, raise EmulatorError."""
        fault = parse_fault(name, self.fault_names(), f"{self.device_name}: ")
        if fault is Fault.DISCONNECT:
            reject_unknown_params(fault, params, set())
        elif fault in LINK_FAULTS:
            LinkFaults().add(fault, dict(params))
        else:
            self.core.validate_fault(fault, dict(params))
        with self._lock:
            if at_s is not None:
                at_s = non_negative_float(fault, "at_s", at_s)
                if at_s > self._now_s():
                    self._scheduled.append((at_s, next(self._scheduled_order), fault, dict(params)))
                    self._scheduled.sort()
                    return
            self._apply_fault(fault, self._now_s(), dict(params))

    def transact(self, data: bytes) -> bytes:
        """Feed host bytes straight to the core (no pty) and return the device's bytes. For tests."""
        return self._on_bytes(data) + self._on_tick()

    # --- serving-thread callbacks -------------------------------------------------------------
    def _on_bytes(self, data: bytes) -> bytes:
        with self._lock:
            now = self._sync()
            data = self._link.apply(FROM_HOST, data)
            if data:
                self._outbox += self.core.receive(data, now)
            return self._drain()

    def _on_tick(self) -> bytes:
        with self._lock:
            self._advance()
            return self._drain()

    def _advance(self) -> None:
        """Bring the core up to now (scheduled faults included), keeping what it says for the host. Lock held."""
        self._outbox += self.core.poll(self._sync())

    def _byte_time_s(self) -> float:
        return BYTE_FRAME_8N1_BITS / self.core.baud() if self.byte_timing else 0.0

    # --- internals ----------------------------------------------------------------------------
    def _now_s(self) -> float:
        self._last_t_s = max(self._last_t_s, self.clock.now_s())
        return self._last_t_s

    def _sync(self) -> float:
        """Apply scheduled faults that fell due (at their own time), then return now."""
        now = self._now_s()
        while self._scheduled and self._scheduled[0][0] <= now:
            at_s, _, name, params = self._scheduled.pop(0)
            self._apply_fault(name, at_s, params)
        return now

    def _apply_fault(self, name: Fault, t_s: float, params: dict) -> None:
        if name is Fault.DISCONNECT:
            self.disconnected_at_s = t_s
            if self._server is not None:
                self._server.stop()
        elif name in LINK_FAULTS:
            self._link.add(name, params)
        else:
            self._outbox += self.core.apply_fault(name, t_s, params)

    def _drain(self) -> bytes:
        out = self._link.apply(TO_HOST, bytes(self._outbox))
        self._outbox.clear()
        return out


class EmulatedSyringePump(EmulatedDevice[PumpCoreT]):
    """Base of the emulated pumps: a core with a syringe whose outflow a balance can weigh."""

    def dispensed_volume_ul(self) -> float:
        """Net volume physically pushed out of the syringe outlet so far (what a balance weighs)."""
        with self._lock:
            self._advance()
            return self.core.syringe.outflow_ul

    def outflow_breakpoints_ul(self, until_s: float) -> list[tuple[float, float]]:
        """Hand over (t_s, outflow_ul) breakpoints up to until_s (the pump replayed to now first), between which the
        outflow changed linearly; the first call starts the recording. One consumer: what is handed over is gone."""
        with self._lock:
            syringe = self.core.syringe
            if syringe.outflow_history is None:
                syringe.outflow_history = []
            self._advance()
            history = syringe.outflow_history
            taken = 0
            while taken < len(history) and history[taken][0] <= until_s:
                taken += 1
            handed, history[:taken] = history[:taken], []
            return handed
