"""Writing to a POSIX serial port's descriptor: every byte handed to the operating system, with a timeout only while
bytes are left that the port would not take by the deadline. SerialTransport writes a device or pty path this way,
and so does the readahead:// port that pyvisa-py writes the balances through (drivers.url_handlers.protocol_readahead).

pyserial's POSIX write looks at its deadline after a write the OS took whole, so a thread held off past the write
timeout (a busy interpreter in a loaded worker) reports a write that succeeded as timed out; it also waits in a
`select` after every write. Here the deadline counts only while bytes wait.
"""
from __future__ import annotations

import os
import select
import time

from serial import SerialTimeoutException


def write_all(fd: int, data: bytes, deadline_s: float | None, abort_fd: int | None = None) -> int:
    """Write all of data to the non-blocking descriptor fd; returns how many bytes were written (all of them, unless
    abort_fd became readable first: pyserial's cancel_write). SerialTimeoutException naming what is left if the port
    would not take the rest by deadline_s (time.monotonic(); None: no deadline); other OSErrors pass."""
    left = memoryview(data)
    while left:
        try:
            left = left[os.write(fd, left):]
            continue
        except BlockingIOError:
            pass
        wait_s = None if deadline_s is None else max(0.0, deadline_s - time.monotonic())
        readable, writable, _ = select.select([] if abort_fd is None else [abort_fd], [fd], [], wait_s)
        if readable:
            os.read(readable[0], 1000)
            break
        if not writable:
            raise SerialTimeoutException(f"{len(left)} of {len(data)} bytes not taken by the port")
    return len(data) - len(left)
