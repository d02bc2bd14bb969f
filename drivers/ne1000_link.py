"""NE-1000 request/reply link over a Transport: basic or safe framing, ?COM retry, auto-alarms, heartbeat.

The link owns the port lock: every exchange, including the safe-mode heartbeat thread's, runs under it.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from drivers import ne1000_codec as codec
from drivers.arguments import require_positive
from drivers.clock import DriverClock, MonotonicClock
from drivers.errors import DeviceTimeout, DriverError, FramingError, ProtocolError
from drivers.transport import Transport

MAX_BASIC_REPLY_BYTES = 256


class NE1000Link:
    def __init__(self, transport: Transport, address: int, reply_timeout_s: float, com_retries: int,
                 clock: DriverClock | None = None) -> None:
        if not 0 <= address <= 99:
            raise ValueError(f"NE-1000 address must be 0..99, got {address}")
        if com_retries < 0:
            raise ValueError(f"com_retries must be >= 0, got {com_retries}")
        self.transport = transport
        self.address = address
        self.reply_timeout_s = reply_timeout_s
        self.com_retries = com_retries
        self.safe_mode = False
        self.last_prompt: str | None = None
        self.unsolicited_alarms: list[str] = []
        """Alarms seen outside a command's own reply (auto-alarm packets, heartbeat); status() reports them."""
        self.lock = threading.RLock()
        self.clock: DriverClock = clock if clock is not None else MonotonicClock()
        """Heartbeat time: the interval since the last exchange is measured on it."""
        self._last_exchange_s = self.clock.now_s()
        self._heartbeat_interval_s: float | None = None
        """Set while the heartbeat runs."""
        self._cancel_heartbeat: Callable[[], None] | None = None
        self.heartbeat_error: DriverError | None = None

    # --- one exchange -------------------------------------------------------------------------
    def exchange(
        self, command: str, *, request_safe: bool | None = None, any_reply_framing: bool = False
    ) -> codec.NE1000Reply:
        """Send `<address><command>` and return the parsed reply (alarms and errors not yet raised).

        request_safe: framing of the request; None means the link's current mode.
        any_reply_framing: accept a basic or a safe reply (for `SAF`, answered in the new mode or, with an
        alarm, in the old one). A safe reply's second byte is its length, a basic one's an address digit.
        """
        with self.lock:
            if self.heartbeat_error is not None:
                error, self.heartbeat_error = self.heartbeat_error, None
                raise error
            self.drain_unsolicited()
            text = f"{self.address}{command}"
            for attempt in range(self.com_retries + 1):
                safe_request = self.safe_mode if request_safe is None else request_safe
                frame = codec.encode_safe(text) if safe_request else codec.encode_basic(text)
                self.transport.write(frame)
                try:
                    reply = self._read_reply(None if any_reply_framing else self.safe_mode)
                except FramingError:
                    self._resync()
                    raise
                self._last_exchange_s = self.clock.now_s()
                if reply.address != self.address:
                    raise ProtocolError(f"reply to {text!r} came from address {reply.address}, expected {self.address}")
                self.last_prompt = reply.prompt  # None after an alarm: the alarm stopped the pump
                if reply.error_code != "COM" or attempt == self.com_retries:
                    break
            if reply.error_code == "COM":
                raise FramingError(
                    f"NE-1000 reported ?COM (invalid packet) for {text!r} after {attempt + 1} attempt(s)"
                )
            return reply

    def _read_reply(self, safe: bool | None) -> codec.NE1000Reply:
        """safe=None: either framing, told apart by the second byte. The reads of one reply share one deadline,
        reply_timeout_s after the request [SR-DRV-002]."""
        deadline_s = time.monotonic() + self.reply_timeout_s

        def remaining_s() -> float:
            left_s = deadline_s - time.monotonic()
            if left_s <= 0:
                raise DeviceTimeout(f"NE-1000 reply incomplete after {self.reply_timeout_s} s")
            return left_s

        if safe is False:
            frame = self.transport.read_until(bytes([codec.ETX]), remaining_s(), MAX_BASIC_REPLY_BYTES)
            return codec.parse_reply(codec.decode_basic(frame))
        head = self.transport.read_exact(2, remaining_s())
        if safe is None and head[0] == codec.STX and chr(head[1]).isdigit():
            frame = head + self.transport.read_until(bytes([codec.ETX]), remaining_s(), MAX_BASIC_REPLY_BYTES)
            return codec.parse_reply(codec.decode_basic(frame))
        if head[0] != codec.STX or head[1] < codec.SAFE_OVERHEAD_BYTES:
            raise FramingError(f"safe-mode reply must start STX <length>=4+, got {head!r}")
        frame = head + self.transport.read_exact(head[1] - 1, remaining_s())
        return codec.parse_reply(codec.decode_safe(frame))

    def read_late_reply(self, safe: bool | None) -> codec.NE1000Reply:
        """Read one more reply to the request just sent: the frame read before was the reply to an earlier one."""
        with self.lock:
            return self._read_reply(safe)

    def _resync(self) -> None:
        self.transport.read_available()  # drop what is left of a broken frame

    def drain_unsolicited(self) -> None:
        """Read auto-alarm packets that arrived between exchanges; record their alarms."""
        pending = self.transport.read_available()
        while pending:
            if not self.safe_mode or len(pending) < 2 or pending[0] != codec.STX or len(pending) < pending[1] + 1:
                return
            frame, pending = pending[: pending[1] + 1], pending[pending[1] + 1:]
            try:
                reply = codec.parse_reply(codec.decode_safe(frame))
            except DriverError:
                continue
            if reply.alarm is not None:
                self.unsolicited_alarms.append(reply.alarm)

    # --- safe-mode heartbeat --------------------------------------------------------------------
    def start_heartbeat(self, interval_s: float) -> None:
        """Send a status query whenever `interval_s` passes on the link's clock without other traffic. The clock
        runs it (DriverClock.call_at): on wall time from a timer thread, on a virtual clock when the clock is
        advanced past the time it is due, at that time. It is due only after interval_s without an exchange, so
        traffic more frequent than that (supervision polls) sends no heartbeat at all."""
        require_positive("heartbeat interval_s", interval_s)
        self.stop_heartbeat()
        with self.lock:
            self._heartbeat_interval_s = interval_s
            self._schedule_heartbeat(interval_s)

    def stop_heartbeat(self) -> None:
        """No heartbeat is sent once this returns."""
        with self.lock:
            cancel, self._cancel_heartbeat = self._cancel_heartbeat, None
            self._heartbeat_interval_s = None
        if cancel is not None:
            cancel()

    def _schedule_heartbeat(self, interval_s: float) -> None:
        self._cancel_heartbeat = self.clock.call_at(self._last_exchange_s + interval_s, self._heartbeat_due)

    def _heartbeat_due(self) -> None:
        with self.lock:
            interval_s = self._heartbeat_interval_s
            if interval_s is None:
                return  # stopped
            if self.clock.now_s() >= self._last_exchange_s + interval_s:  # else traffic fed the watchdog since
                try:
                    reply = self.exchange("")
                except DriverError as exc:
                    self.heartbeat_error = exc
                    self._heartbeat_interval_s = self._cancel_heartbeat = None
                    return
                if reply.alarm is not None:
                    self.unsolicited_alarms.append(reply.alarm)
            self._schedule_heartbeat(interval_s)
