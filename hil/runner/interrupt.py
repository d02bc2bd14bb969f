"""Ctrl-C as a flag: the run loop notices it between firmware steps, stops the pump, then writes the record.
A second Ctrl-C raises KeyboardInterrupt at once (teardown still stops the pump)."""
from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType


class InterruptFlag:
    def __init__(self) -> None:
        self.requested = False
        self._previous: object = None
        self._installed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> "InterruptFlag":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]
            self._installed = False
