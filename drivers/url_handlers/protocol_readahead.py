"""`readahead://<device path>` (POSIX): pyserial's local serial port, which reads what has arrived in one system call.

pyvisa-py reads a serial resource one byte per call (pyvisa_py.serial.SerialSession.read asks its pyserial port for
`read(1)` until the termination character), and pyserial's `read(1)` costs a `select` and a `read` each time: 36
system calls for an 18-byte MT-SICS reply. Through this port (`ASRLreadahead:///dev/ttyUSB0::INSTR`) the first
`read(1)` takes every byte that has arrived with one `select` and one `read`, and the next calls are served from that
read-ahead. pyvisa-py does everything else as before (termination, timeout, attributes), so the driver sees the same
bytes, the same timeouts and the same errors:

- `read(size)` returns at most `size` bytes; it waits for them within the port's timeout like pyserial's read (None:
  until they are there, 0: what is there), and a port that is readable yet yields nothing is a
  SerialException('device reports readiness to read but returned no data ...'), as pyserial reports a hang-up.
- `write` hands every byte to the OS with the write timeout counting only while bytes are left that the port would
  not take (drivers.posix_write, as SerialTransport writes): pyserial's write reported a write that succeeded as
  timed out when the thread got back late, and waited in a `select` after every write.
- `in_waiting` (pyvisa's `bytes_in_buffer`) counts the bytes read ahead and not yet taken; `reset_input_buffer`
  (pyvisa's flush of the read buffer) drops them with the operating system's; closing the port drops them.

The hil rig opens the emulated balances' ptys this way (hil.rig.rig.visa_resource_for_pty).
"""
from __future__ import annotations

import errno
import time
from typing import Any

from serial import SerialException
from serial.serialposix import Serial as PosixSerial
from serial.serialutil import PortNotOpenError, Timeout

from drivers.posix_read import read_arrived
from drivers.posix_write import write_all

SCHEME = "readahead://"
_RETRY = (errno.EAGAIN, errno.EALREADY, errno.EWOULDBLOCK, errno.EINPROGRESS, errno.EINTR)


def device_path(url: str) -> str:
    """The device path of a readahead:// URL (ValueError naming the URL if it has none)."""
    if not url.lower().startswith(SCHEME) or not url[len(SCHEME):]:
        raise ValueError(f"{url!r} is not {SCHEME}<device path>, e.g. {SCHEME}/dev/ttyUSB0")
    return url[len(SCHEME):]


class ReadAheadSerial(PosixSerial):
    """pyserial's POSIX port with a read-ahead buffer (see the module's description)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._ahead = bytearray()
        super().__init__(*args, **kwargs)

    def open(self) -> None:
        """serial_for_url sets the whole URL as the port: the port opens its device path (and keeps it as its port)."""
        if self.port is not None and self.port.lower().startswith(SCHEME):
            self.port = device_path(self.port)
        super().open()

    def read(self, size_bytes: int = 1, /) -> bytes:
        if not self.is_open:
            raise PortNotOpenError()
        if len(self._ahead) < size_bytes:
            self._read_ahead(size_bytes, Timeout(self.timeout))  # type: ignore[arg-type]  # None: block, as pyserial
        taken = bytes(self._ahead[:size_bytes])
        del self._ahead[:size_bytes]
        return taken

    def _read_ahead(self, size: int, timeout: Timeout) -> None:
        """Read what has arrived (drivers.posix_read), waiting within `timeout` until `size` bytes are there
        (pyserial's read loop, each read taking what has arrived)."""
        while len(self._ahead) < size:
            try:
                arrived = read_arrived(self, timeout.time_left())
            except SerialException:  # a hang-up, in pyserial's words
                raise
            except OSError as exc:
                if exc.errno not in _RETRY:
                    raise SerialException(f"{self.portstr}: read failed: {exc}") from exc
            else:
                if not arrived:  # timed out, or cancel_read()
                    return
                self._ahead += arrived
            if timeout.expired():
                return

    def write(self, data: Any, /) -> int:
        """Every byte handed to the OS, the write timeout counting only while bytes are left that the port would not
        take (drivers.posix_write; pyserial's write reports a timeout for a write that succeeded when the thread got
        back late, and waits in a `select` after every write). A zero timeout is pyserial's non-blocking write."""
        fd = self.fd
        if not self.is_open or fd is None:
            raise PortNotOpenError()
        timeout_s = self.write_timeout
        if timeout_s == 0:
            return super().write(data) or 0
        try:
            return write_all(fd, bytes(memoryview(data)), None if timeout_s is None else time.monotonic() + timeout_s,
                             self.pipe_abort_write_r)
        except SerialException:  # the timeout
            raise
        except OSError as exc:
            raise SerialException(f"write failed: {exc}") from exc

    @property
    def in_waiting(self) -> int:
        return len(self._ahead) + int(super().in_waiting)

    def reset_input_buffer(self) -> None:
        super().reset_input_buffer()
        self._ahead.clear()

    def close(self) -> None:
        super().close()
        self._ahead.clear()


Serial = ReadAheadSerial
"""The name pyserial's serial_for_url looks up in a protocol handler module."""
