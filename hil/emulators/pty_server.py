"""Serve an emulated device on a pseudo-terminal: raw mode, one serving thread, clean stop.

The host opens the slave path (`/dev/pts/N`) like any serial port. The device end is the master fd.
When no host has the slave open, reads on the master fail with EIO: that is "host disconnected",
and the server keeps waiting for the next host (bytes written meanwhile are lost, as on a real line).
"""
from __future__ import annotations

import errno
import os
import select
import tty

from hil.emulators.wire import DeviceServer


class PtyServer(DeviceServer):
    """Moves bytes between a pty master and a device's callbacks (hil.emulators.wire.DeviceCallbacks)."""

    kind = "pty server"
    _master_fd: int | None = None

    def _open(self) -> str:
        master_fd, slave_fd = os.openpty()
        tty.setraw(slave_fd)  # no echo, no CR/LF translation before the host configures the port
        path = os.ttyname(slave_fd)
        os.close(slave_fd)
        self._master_fd = master_fd
        return path

    def _serve_once(self) -> None:
        fd = self._master_fd
        assert fd is not None
        readable, _, _ = select.select([fd], [], [], self._poll_interval_s)
        data = self._read(fd) if readable else b""
        if data:
            # on_bytes brings the device up to now and returns all it has to say, so no tick follows it: the host,
            # waiting for this reply, gets the interpreter back at once
            self._timing.received(len(data))
            self._send(fd, self._callbacks.on_bytes(data))
        elif not self._stop.is_set():
            self._send(fd, self._callbacks.on_tick())

    def _close(self) -> None:
        if self._master_fd is not None:
            os.close(self._master_fd)
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

    def _send(self, fd: int, data: bytes) -> None:
        if not data:
            return
        self._timing.before_sending(len(data))
        view = memoryview(data)
        while view and not self._stop.is_set():
            try:
                written = os.write(fd, view)
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EAGAIN):
                    return  # host gone: bytes are lost, as on a real line
                raise
            view = view[written:]
