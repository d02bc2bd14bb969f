"""Reading a POSIX serial port's descriptor: wait until it is readable, then take everything that has arrived in one
system call. SerialTransport reads a device or pty path this way, and so does the readahead:// port that pyvisa-py
reads the balances through (drivers.url_handlers.protocol_readahead).

pyserial opens a POSIX port non-blocking with VMIN = VTIME = 0, so a read never blocks; a descriptor that select
calls readable and that then yields nothing is a device gone (a hang-up), which pyserial reports as a
SerialException (an OSError) with HANG_UP_TEXT, and so does read_arrived.
"""
from __future__ import annotations

import os
import select
from typing import TYPE_CHECKING

from serial import SerialException
from serial.serialutil import PortNotOpenError

if TYPE_CHECKING:  # serialposix imports termios: not at run time, so that drivers.transport imports on Windows
    from serial.serialposix import Serial as PosixSerial

READ_CHUNK_BYTES = 4096
"""Most bytes one system call takes (more than any reply of the supported devices)."""
HANG_UP_TEXT = "device reports readiness to read but returned no data (device disconnected or multiple access on port?)"
"""pyserial's words for a hang-up (drivers.transport recognises a disconnect by them)."""


def read_arrived(port: PosixSerial, timeout_s: float | None) -> bytes:
    """What has arrived on an open POSIX port (at most READ_CHUNK_BYTES), waiting up to timeout_s (None: without
    limit) for the first byte; b"" if nothing came in time or the port's cancel_read() came first (as pyserial's
    read). SerialException(HANG_UP_TEXT) on a hang-up, PortNotOpenError on a closed port; other OSErrors of select
    and read pass."""
    fd, abort_fd = port.fd, port.pipe_abort_read_r
    if fd is None or abort_fd is None:
        raise PortNotOpenError()
    readable, _, _ = select.select([fd, abort_fd], [], [], timeout_s)
    if abort_fd in readable:
        os.read(abort_fd, 1000)
        return b""
    if not readable:
        return b""
    chunk = os.read(fd, READ_CHUNK_BYTES)
    if not chunk:
        raise SerialException(HANG_UP_TEXT)
    return chunk
