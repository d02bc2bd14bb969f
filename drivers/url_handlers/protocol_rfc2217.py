"""`rfc2217://HOST:PORT` with a write timeout: pyserial's RFC 2217 client (`serial.rfc2217.Serial`, pyserial 3.5)
raises NotImplementedError('write_timeout is currently not supported') whenever a write timeout is set, and pyvisa-py
sets one on every ASRL resource, so `ASRLrfc2217://HOST:PORT::INSTR` could not be opened. This Serial is that client
with the write timeout implemented.

What the write timeout means here, as for pyserial's local ports: the time allowed for the OS to accept every byte
(here into the TCP send buffer), not for the bytes to reach the device. A write waits only while the send buffer is
full, i.e. while the server (and the device behind it) stops taking bytes; then it waits for the socket to become
writable until the deadline and raises serial.SerialTimeoutException, the bytes handed over so far staying sent.
write_timeout=0 sends what the OS takes at once. None: pyserial's write (sendall), unchanged.

Telnet escaping is kept intact when a timeout cuts a doubled IAC (0xFF 0xFF) in two: the missing half goes first in
the next thing sent on the socket (data or a telnet command), so the server never reads a lone IAC as a command.

Line settings are negotiated only when they change: pyserial renegotiates baud rate, framing and flow control (at
least 50 ms each time) whenever any port setting changes, timeouts included, which pyvisa-py changes on every
resource timeout change; a timeout is local to this client, so such a change now costs nothing on the wire.
"""
from __future__ import annotations

import select
import threading
import time
from socket import socket
from typing import TYPE_CHECKING

import serial
import serial.rfc2217
from serial.rfc2217 import IAC, IAC_DOUBLED

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


def splits_escaped_iac(escaped: bytes, sent_bytes: int) -> bool:
    """True if the first `sent_bytes` of telnet-escaped data end between the two bytes of a doubled IAC (every IAC in
    escaped data is doubled, so a cut ends in an odd run of IAC bytes exactly then)."""
    head = escaped[:sent_bytes]
    run_bytes = len(head) - len(head.rstrip(IAC))
    return run_bytes % 2 == 1


class WriteTimeoutRfc2217Serial(serial.rfc2217.Serial):
    """pyserial's RFC 2217 client, accepting a write timeout (see the module text for what it bounds)."""

    _socket: socket | None
    _write_lock: threading.Lock | None
    _write_timeout: float | None
    _negotiated: tuple[object, ...] | None = None
    """The line settings last negotiated on this connection (None: not yet)."""
    _unsent_iac: bytes = b""
    """The second half of a doubled IAC that a write timeout cut off, sent first by the next write."""

    def open(self) -> None:
        self._negotiated = None
        self._unsent_iac = b""
        super().open()

    def close(self) -> None:
        super().close()
        self._negotiated = None

    def _line_settings(self) -> tuple[object, ...]:
        return (self.baudrate, self.bytesize, self.parity, self.stopbits, self.rtscts, self.xonxoff)

    def _reconfigure_port(self) -> None:
        """pyserial's negotiation, without its refusal of a write timeout, and only when a line setting changed."""
        settings = self._line_settings()
        if self._negotiated == settings and self._socket is not None:
            return
        write_timeout, self._write_timeout = self._write_timeout, None
        try:
            super()._reconfigure_port()  # type: ignore[misc]  # private in pyserial, absent from its stub
        finally:
            self._write_timeout = write_timeout
        self._negotiated = settings

    def _internal_raw_write(self, data: bytes) -> None:
        """Telnet commands (pyserial sends them through here), after the half IAC a timed-out write left, if any."""
        sock, lock = self._connection()
        with lock:
            sock.sendall(self._take_unsent_iac() + data)

    def write(self, b: ReadableBuffer, /) -> int | None:
        if not self.is_open:
            raise serial.PortNotOpenError()
        write_timeout_s = self._write_timeout
        if write_timeout_s is None:  # pyserial's own write (sendall), after a half IAC left by a timed-out write
            if self._unsent_iac:
                self._internal_raw_write(b"")
            return super().write(b)
        data = bytes(memoryview(b))
        sock, lock = self._connection()
        with lock:
            self._send_by(sock, self._take_unsent_iac(), data.replace(IAC, IAC_DOUBLED),
                          time.monotonic() + write_timeout_s)
        return len(data)

    def _connection(self) -> tuple[socket, threading.Lock]:
        if self._socket is None or self._write_lock is None:
            raise serial.PortNotOpenError()
        return self._socket, self._write_lock

    def _take_unsent_iac(self) -> bytes:
        unsent, self._unsent_iac = self._unsent_iac, b""
        return unsent

    def _send_by(self, sock: socket, unsent_iac: bytes, escaped: bytes, deadline_s: float) -> None:
        """Send unsent_iac then all of `escaped` before deadline_s (time.monotonic()), or SerialTimeoutException."""
        view = memoryview(unsent_iac + escaped)
        sent_bytes = 0
        while sent_bytes < len(view):
            try:
                _, writable, _ = select.select([], [sock], [], max(deadline_s - time.monotonic(), 0.0))
                if writable:
                    sent_bytes += sock.send(view[sent_bytes:])
                    continue
            except (OSError, ValueError) as exc:  # ValueError: select on a socket closed meanwhile
                raise serial.SerialException(f"connection failed (socket error): {exc}") from exc
            cut_bytes = sent_bytes - len(unsent_iac)
            if cut_bytes < 0 or splits_escaped_iac(escaped, cut_bytes):
                self._unsent_iac = IAC
            raise serial.SerialTimeoutException(
                f"Write timeout: {self.portstr}: the server took {sent_bytes} of {len(view)} bytes "
                f"within {self._write_timeout} s")


Serial = WriteTimeoutRfc2217Serial
"""The name pyserial's serial_for_url looks up in a protocol handler module."""
