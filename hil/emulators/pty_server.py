"""Serve an emulated device on a pseudo-terminal: raw mode, one serving thread, clean stop.

The host opens the slave path (`/dev/pts/N`) like any serial port. The device end is the master fd.
When no host has the slave open, reads on the master fail with EIO: that is "host disconnected",
and the server keeps waiting for the next host (bytes written meanwhile are lost, as on a real line).
"""
from __future__ import annotations

import errno
import os
import select
import threading
import time
import tty
from typing import Callable


def sleep_precisely_s(duration_s: float, stop: threading.Event) -> None:
    """Wall-time pause for link timing; returns early if the server is stopping."""
    deadline = time.perf_counter() + duration_s
    while not stop.is_set():
        remaining_s = deadline - time.perf_counter()
        if remaining_s <= 0:
            return
        if remaining_s > 0.002:
            stop.wait(remaining_s - 0.001)


class PtyServer:
    """Moves bytes between a pty master and device callbacks.

    on_bytes(data) -> reply bytes; on_tick() -> unsolicited bytes (called every poll_interval_s);
    byte_time_s() -> wall seconds per byte on the modelled wire (0 = no byte-time modelling);
    reply_delay_s() -> extra wall delay for the next reply (delay fault).
    """

    def __init__(
        self,
        name: str,
        on_bytes: Callable[[bytes], bytes],
        on_tick: Callable[[], bytes],
        byte_time_s: Callable[[], float],
        reply_delay_s: Callable[[], float],
        poll_interval_s: float = 0.01,
    ) -> None:
        self.name = name
        self._on_bytes = on_bytes
        self._on_tick = on_tick
        self._byte_time_s = byte_time_s
        self._reply_delay_s = reply_delay_s
        self._poll_interval_s = poll_interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master_fd: int | None = None
        self._rx_done_s = 0.0
        self.path: str | None = None
        self.error: BaseException | None = None
        """What ended the serving thread, if it did not stop on request."""

    def start(self) -> str:
        if self._thread is not None:
            raise RuntimeError(f"{self.name}: pty server already started")
        master_fd, slave_fd = os.openpty()
        tty.setraw(slave_fd)  # no echo, no CR/LF translation before the host configures the port
        self.path = os.ttyname(slave_fd)
        os.close(slave_fd)
        self._master_fd = master_fd
        self._thread = threading.Thread(target=self._serve, name=f"emulator-{self.name}", daemon=True)
        self._thread.start()
        return self.path

    def stop(self) -> None:
        """Stop serving and close the device end. Safe to call twice and from the serving thread."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _serve(self) -> None:
        fd = self._master_fd
        assert fd is not None
        try:
            while not self._stop.is_set():
                readable, _, _ = select.select([fd], [], [], self._poll_interval_s)
                if readable:
                    data = self._read(fd)
                    if data:
                        self._model_receive_time(len(data))
                        self._send(fd, self._on_bytes(data))
                if not self._stop.is_set():
                    self._send(fd, self._on_tick())
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            os.close(fd)
            self._master_fd = None

    def _read(self, fd: int) -> bytes:
        try:
            data = os.read(fd, 4096)
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            self._stop.wait(self._poll_interval_s)
            return b""
        return data

    def _model_receive_time(self, n_bytes: int) -> None:
        byte_time_s = self._byte_time_s()
        if byte_time_s <= 0:
            return
        now = time.perf_counter()
        self._rx_done_s = max(now, self._rx_done_s) + n_bytes * byte_time_s
        sleep_precisely_s(self._rx_done_s - now, self._stop)

    def _send(self, fd: int, data: bytes) -> None:
        if not data:
            return
        delay_s = self._reply_delay_s() + len(data) * self._byte_time_s()
        if delay_s > 0:
            sleep_precisely_s(delay_s, self._stop)
        view = memoryview(data)
        while view and not self._stop.is_set():
            try:
                written = os.write(fd, view)
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EAGAIN):
                    return  # host gone: bytes are lost, as on a real line
                raise
            view = view[written:]
