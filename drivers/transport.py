"""The byte link: a Transport protocol and SerialTransport on `serial.serial_for_url`.

SerialTransport accepts anything pyserial can open: a device path (`/dev/ttyUSB0`), a pty path
(`/dev/pts/5`), `socket://host:port`, `rfc2217://host:port` (drivers.url_handlers), `loop://`,
`spy:///dev/ttyUSB0?file=trace.txt` (record a real exchange). Every read has a timeout that bounds the whole call,
however the bytes trickle in (one deadline, not one per byte); pyserial's exceptions become the typed errors of
drivers.errors.

On a plain POSIX port (a device or pty path) a read waits for the port's descriptor to become readable and then
takes everything that has arrived in one system call (drivers.posix_read), so a reply written at once (a whole
frame) is read at once; pyserial's own read waits for an exact byte count, one select per chunk. Other ports (URL
handlers, spy://) go through pyserial's read.
"""
from __future__ import annotations

import contextlib
import logging
import os
import time
from typing import Protocol

import serial

from drivers.arguments import require_positive
from drivers.errors import DeviceDisconnected, DeviceTimeout, TransportError
from drivers.posix_read import read_arrived
from drivers.posix_write import write_all
from drivers.url_handlers import register_url_handlers

DEFAULT_TIMEOUT_S = 1.0


log = logging.getLogger(__name__)  # DEBUG: every byte written and read (itpump -vv)


class Transport(Protocol):
    """What a driver needs from a byte link. Reads raise DeviceTimeout, never block forever."""

    def open(self) -> None: ...

    def close(self) -> None: ...

    @property
    def is_open(self) -> bool: ...

    def write(self, data: bytes) -> None: ...

    def read_exact(self, size_bytes: int, timeout_s: float | None = None) -> bytes:
        """Exactly `size_bytes` bytes, or DeviceTimeout carrying what did arrive."""
        ...

    def read_until(self, terminator: bytes, timeout_s: float | None = None, max_size_bytes: int = 4096) -> bytes:
        """Bytes up to and including `terminator`, or DeviceTimeout carrying what did arrive."""
        ...

    def read_available(self) -> bytes:
        """Whatever is already buffered, without waiting (b"" if nothing)."""
        ...


def _is_disconnect(exc: Exception) -> bool:
    text = str(exc).lower()
    markers = ("disconnected", "returned no data", "input/output error", "errno 5", "errno 19",
               "broken pipe", "connection reset", "bad file descriptor", "not open")
    return any(marker in text for marker in markers)


class SerialTransport:
    """A pyserial port opened from a URL, exclusive where the port type supports it."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 19200,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        write_timeout_s: float = DEFAULT_TIMEOUT_S,
        exclusive: bool = True,
    ) -> None:
        require_positive("timeout_s", timeout_s)
        require_positive("write_timeout_s", write_timeout_s)
        self.url = url
        self.baudrate = baudrate
        self.timeout_s = timeout_s
        self.write_timeout_s = write_timeout_s
        self.exclusive = exclusive
        self._port: serial.SerialBase | None = None
        self._port_timeout_s: float | None = None
        self._rx = bytearray()
        """Bytes read from the port but not yet returned (what followed a terminator)."""
        self._fd: int | None = None
        """The descriptor of a plain POSIX port, read directly (module docstring); None for other ports."""

    @property
    def is_open(self) -> bool:
        return self._port is not None and self._port.is_open

    def open(self) -> None:
        if self.is_open:
            return
        register_url_handlers()  # rfc2217:// with a write timeout (drivers.url_handlers.protocol_rfc2217)
        try:
            port = serial.serial_for_url(self.url, do_not_open=True)
            port.baudrate = self.baudrate
            port.timeout = self.timeout_s
            port.write_timeout = self.write_timeout_s
            if self.exclusive and isinstance(port, serial.Serial):
                port.exclusive = True  # flock() on POSIX; URL handlers without a file descriptor ignore it
            port.open()
        except (serial.SerialException, OSError, ValueError) as exc:
            raise TransportError(f"cannot open serial port {self.url!r}: {exc}") from exc
        self._port = port
        self._port_timeout_s = port.timeout
        self._fd = port.fd if os.name == "posix" and type(port) is serial.Serial else None  # not a subclass (spy://)
        self._rx.clear()

    def close(self) -> None:
        port, self._port = self._port, None
        self._fd = None
        self._rx.clear()
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):  # the port may be gone already (unplugged)
                port.close()

    def _require_port(self) -> serial.SerialBase:
        if self._port is None or not self._port.is_open:
            raise TransportError(f"serial port {self.url!r} is not open (call open() first)")
        return self._port

    def _translate(self, exc: Exception, action: str) -> TransportError:
        if _is_disconnect(exc):
            return DeviceDisconnected(f"{self.url}: device disconnected during {action}: {exc}")
        return TransportError(f"{self.url}: {action} failed: {exc}")

    def _timeout_s(self, timeout_s: float | None) -> float:
        wanted_s = self.timeout_s if timeout_s is None else timeout_s
        if wanted_s < 0:
            raise ValueError(f"timeout_s must be >= 0, got {wanted_s}")
        return wanted_s

    def _fill(self, port: serial.SerialBase, deadline_s: float) -> bool:
        """Add what has arrived to the buffer, or wait for one byte until deadline_s (time.monotonic());
        False once the deadline has passed or nothing came by then.

        One blocking read waits at most the port's timeout, which is only changed when it would pass the deadline
        (or is far shorter than the time left): setting it reconfigures the port (a termios call), which would
        otherwise cost more than the read itself. A wait cut short by it just goes round again."""
        remaining_s = deadline_s - time.monotonic()
        if remaining_s <= 0:
            return False
        if self._fd is not None:
            return self._fill_from_posix_port(port, remaining_s)
        try:
            waiting = port.in_waiting  # type: ignore[attr-defined]  # every port class has it, the SerialBase stub not
            port_timeout_s = self._port_timeout_s
            if not waiting and (port_timeout_s is None or port_timeout_s > remaining_s
                                or port_timeout_s < remaining_s / 4):
                port.timeout = self._port_timeout_s = remaining_s / 2
            chunk = port.read(waiting or 1)
        except (serial.SerialException, OSError) as exc:
            raise self._translate(exc, "read") from exc
        self._rx += chunk
        return bool(chunk) or time.monotonic() < deadline_s

    def _fill_from_posix_port(self, port: serial.SerialBase, remaining_s: float) -> bool:
        """_fill on a POSIX port: what has arrived, waiting at most remaining_s (drivers.posix_read; a hang-up is a
        DeviceDisconnected)."""
        try:
            chunk = read_arrived(port, remaining_s)  # type: ignore[arg-type]  # a plain POSIX port (open)
        except OSError as exc:  # pyserial's SerialException of a hang-up is one
            raise self._translate(exc, "read") from exc
        self._rx += chunk
        return bool(chunk)

    def _received(self, data: bytes) -> bytes:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s rx %r", self.url, data)
        return data

    def _take(self, size: int) -> bytes:
        data = bytes(self._rx[:size])
        del self._rx[:size]
        return data

    def write(self, data: bytes) -> None:
        port = self._require_port()
        try:
            # every byte is handed to the OS before this returns (within write_timeout_s); no flush (tcdrain, which
            # waits for the UART to send them): the reply's deadline covers the line time, and it cost a system
            # call per exchange
            if self._fd is not None:
                self._write_to_fd(self._fd, data)
            else:
                port.write(data)
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(f"{self.url}: write of {len(data)} bytes timed out after {self.write_timeout_s} s: "
                                f"{exc}") from exc
        except (serial.SerialException, OSError) as exc:
            raise self._translate(exc, "write") from exc
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s tx %r", self.url, data)

    def _write_to_fd(self, fd: int, data: bytes) -> None:
        """write on a POSIX port (drivers.posix_write): a timeout only while bytes are left that the OS would not take
        by the deadline."""
        write_all(fd, data, time.monotonic() + self.write_timeout_s)

    def read_exact(self, size_bytes: int, timeout_s: float | None = None) -> bytes:
        port = self._require_port()
        wanted_s = self._timeout_s(timeout_s)
        deadline_s = time.monotonic() + wanted_s
        while len(self._rx) < size_bytes:
            if not self._fill(port, deadline_s):
                raise DeviceTimeout(f"{self.url}: expected {size_bytes} bytes within {wanted_s:.3g} s, "
                                    f"got {self._take(size_bytes)!r}")
        return self._received(self._take(size_bytes))

    def read_until(self, terminator: bytes, timeout_s: float | None = None, max_size_bytes: int = 4096) -> bytes:
        port = self._require_port()
        wanted_s = self._timeout_s(timeout_s)
        deadline_s = time.monotonic() + wanted_s
        while True:
            end = self._rx.find(terminator)
            if 0 <= end <= max_size_bytes - len(terminator):
                return self._received(self._take(end + len(terminator)))
            if len(self._rx) >= max_size_bytes or not self._fill(port, deadline_s):
                full = len(self._rx) >= max_size_bytes
                raise DeviceTimeout(f"{self.url}: no {terminator!r} within {wanted_s:.3g} s"
                                    + (f" (max {max_size_bytes} bytes)" if full else "")
                                    + f", got {self._take(max_size_bytes)!r}")

    def read_available(self) -> bytes:
        port = self._require_port()
        try:
            waiting = port.in_waiting  # type: ignore[attr-defined]  # every port class has it, the SerialBase stub not
            if waiting:
                self._rx += os.read(self._fd, waiting) if self._fd is not None else port.read(waiting)
        except (serial.SerialException, OSError) as exc:
            raise self._translate(exc, "read") from exc
        return self._take(len(self._rx))
