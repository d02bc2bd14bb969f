"""What every server of an emulated device (pty, TCP, RFC 2217) shares: the device's callbacks and the wire's timing."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from collections.abc import Callable


EIGHT_N_ONE = "8N1"
"""The framing of every emulated device but a Sartorius balance set to 7O1."""


@dataclass(frozen=True)
class DeviceCallbacks:
    """How a server talks to a device.

    on_bytes(data) -> reply bytes (the device brought up to now: all it has to say); on_tick() -> unsolicited
    bytes (called every poll interval without host bytes);
    byte_time_s() -> wall seconds per byte on the modelled wire (0 = no byte-time modelling);
    reply_delay_s() -> extra wall delay for the next reply (delay fault); baud() -> the device's own baud rate;
    framing() -> its data bits, parity and stop bits ("8N1", "7O1").
    """

    name: str
    on_bytes: Callable[[bytes], bytes]
    on_tick: Callable[[], bytes]
    byte_time_s: Callable[[], float]
    reply_delay_s: Callable[[], float]
    baud: Callable[[], int]
    framing: Callable[[], str]


def sleep_precisely_s(duration_s: float, stop: threading.Event) -> None:
    """Wall-time pause for link timing; returns early if the server is stopping."""
    deadline = time.perf_counter() + duration_s
    while not stop.is_set():
        remaining_s = deadline - time.perf_counter()
        if remaining_s <= 0:
            return
        if remaining_s > 0.002:
            stop.wait(remaining_s - 0.001)


class WireTiming:
    """Byte time on the modelled wire: host bytes arrive one byte time each, replies leave after the delay fault
    and their own byte times. Without byte timing and delay faults it never waits."""

    def __init__(self, callbacks: DeviceCallbacks, stop: threading.Event) -> None:
        self._callbacks = callbacks
        self._stop = stop
        self._rx_done_s = 0.0

    def received(self, n_bytes: int) -> None:
        byte_time_s = self._callbacks.byte_time_s()
        if byte_time_s <= 0:
            return
        now = time.perf_counter()
        self._rx_done_s = max(now, self._rx_done_s) + n_bytes * byte_time_s
        sleep_precisely_s(self._rx_done_s - now, self._stop)

    def before_sending(self, n_bytes: int) -> None:
        delay_s = self._callbacks.reply_delay_s() + n_bytes * self._callbacks.byte_time_s()
        if delay_s > 0:
            sleep_precisely_s(delay_s, self._stop)


class DeviceServer:
    """One serving thread moving bytes between a host-facing endpoint and a device; clean stop; the error that ended
    it. Subclasses open the endpoint (_open returns what the host opens), serve one poll interval (_serve_once), and
    close it (_close, in the serving thread)."""

    kind = "server"

    def __init__(self, callbacks: DeviceCallbacks, poll_interval_s: float = 0.01) -> None:
        self.name = callbacks.name
        self._callbacks = callbacks
        self._poll_interval_s = poll_interval_s
        self._stop = threading.Event()
        self._timing = WireTiming(callbacks, self._stop)
        self._thread: threading.Thread | None = None
        self.path: str | None = None
        """What the host opens: a pty path or a socket:// / rfc2217:// URL."""
        self.error: BaseException | None = None
        """What ended the serving thread, if it did not stop on request."""

    def start(self) -> str:
        if self._thread is not None:
            raise RuntimeError(f"{self.name}: {self.kind} already started")
        self.path = self._open()
        self._thread = threading.Thread(target=self._run, name=f"emulator-{self.name}", daemon=True)
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

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._serve_once()
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            self._close()

    def _open(self) -> str:
        raise NotImplementedError

    def _serve_once(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError
