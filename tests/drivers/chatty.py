"""A device that never stops talking, for the tests that every driver call is bounded by its timeout.

chatty_socket() serves a loopback TCP device (`socket://` for SerialTransport, `ASRLsocket://` for pyvisa) that
sends `line` every interval_s for talk_s seconds, whatever it is sent; chatty_pty() does the same on a pty (the
path of its far end). ChattyTransport plays a recorded exchange
(drivers.scripted) and then turns into a device that keeps talking, whatever the driver writes: a `line` every
`interval_s`, or, for fixed-size reads, one byte every `interval_s`, in real time, for `talk_s` seconds, after which
it falls silent. Like a real transport, each read honours its own timeout; what it cannot do is end a driver's loop
over reads, which is what is under test.
"""
from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import tty
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from drivers.errors import DeviceTimeout
from drivers.scripted import Exchange, ScriptedTransport


class ChattyTransport(ScriptedTransport):
    def __init__(self, exchanges: Sequence[Exchange], line: bytes, *, interval_s: float = 0.02,
                 talk_s: float = 8.0) -> None:
        super().__init__(exchanges)
        self.line = line
        self.interval_s = interval_s
        self.talk_s = talk_s
        self._talk_until_s: float | None = None

    @property
    def _chatting(self) -> bool:
        return self._talk_until_s is not None and not self._pending and not self._rx

    def write(self, data: bytes) -> None:
        if self._pending:
            super().write(data)
            return
        self.writes.append(bytes(data))
        if self._talk_until_s is None:
            self._talk_until_s = time.monotonic() + self.talk_s

    def _arrives_within(self, wait_s: float, timeout_s: float | None) -> bool:
        """Sleep until data needing wait_s arrives (True) or until the read times out (False)."""
        timeout_s = 1.0 if timeout_s is None else timeout_s
        assert self._talk_until_s is not None
        if wait_s > timeout_s or time.monotonic() + wait_s > self._talk_until_s:
            time.sleep(timeout_s)
            return False
        time.sleep(wait_s)
        return True

    def read_until(self, terminator: bytes, timeout_s: float | None = None, max_size_bytes: int = 4096) -> bytes:
        if not self._chatting:
            return super().read_until(terminator, timeout_s, max_size_bytes)
        if terminator in self.line and self._arrives_within(self.interval_s, timeout_s):
            return self.line
        if terminator not in self.line:
            self._arrives_within(float("inf"), timeout_s)  # bytes keep coming, the terminator never does
        raise DeviceTimeout(f"chatty: no {terminator!r} within {timeout_s} s")

    def read_exact(self, size_bytes: int, timeout_s: float | None = None) -> bytes:
        if not self._chatting:
            return super().read_exact(size_bytes, timeout_s)
        if self._arrives_within(size_bytes * self.interval_s, timeout_s):
            return (self.line * size_bytes)[:size_bytes]
        raise DeviceTimeout(f"chatty: {size_bytes} bytes not within {timeout_s} s")

    def read_available(self) -> bytes:
        return super().read_available() if not self._chatting else b""


@contextmanager
def chatty_socket(line: bytes, *, interval_s: float = 0.02, talk_s: float = 8.0) -> Iterator[str]:
    """Yield the `socket://127.0.0.1:<port>` URL of a device that talks from the moment a client connects."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(talk_s)
    done = threading.Event()

    def serve() -> None:
        try:
            connection, _ = server.accept()
        except OSError:
            return
        with connection:
            end_s = time.monotonic() + talk_s
            while not done.is_set() and time.monotonic() < end_s:
                try:
                    connection.sendall(line)
                except OSError:
                    return
                done.wait(interval_s)

    thread = threading.Thread(target=serve, name="chatty-device", daemon=True)
    thread.start()
    try:
        yield f"socket://127.0.0.1:{server.getsockname()[1]}"
    finally:
        done.set()
        server.close()
        thread.join(timeout=2.0)


@contextmanager
def chatty_pty(line: bytes, *, interval_s: float = 0.02, talk_s: float = 8.0) -> Iterator[str]:
    """Yield the path of a pty whose far end sends `line` every interval_s for talk_s seconds."""
    master, slave = os.openpty()
    tty.setraw(slave)
    done = threading.Event()

    def talk() -> None:
        end_s = time.monotonic() + talk_s
        while not done.wait(interval_s) and time.monotonic() < end_s:
            with contextlib.suppress(OSError):
                os.write(master, line)

    thread = threading.Thread(target=talk, name="chatty-pty", daemon=True)
    thread.start()
    try:
        yield os.ttyname(slave)
    finally:
        done.set()
        thread.join(timeout=2.0)
        for fd in (master, slave):
            with contextlib.suppress(OSError):
                os.close(fd)
