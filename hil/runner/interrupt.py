"""Ctrl-C as a flag: the run notices it at its checkpoints (between firmware steps, after set-up and after the
verdict), stops the pump, writes the record as ERROR naming the interrupt and the phase it came in, and marks
the outputs it did not render. A second Ctrl-C raises KeyboardInterrupt at once (the runner treats that the
same way; teardown still stops the pump), except inside shielded() sections (single record writes), which
are short and must not be cut in half.

    with InterruptFlag() as interrupt:
        interrupt.enter("the scenario steps")
        ...
        interrupt.check()                 # raises RunAborted if Ctrl-C was pressed
"""
from __future__ import annotations

import contextlib
import signal
import threading
from types import FrameType, TracebackType
from collections.abc import Iterator


class RunAborted(Exception):
    """The operator interrupted the run (Ctrl-C)."""


class RunInterrupted(Exception):
    """The operator interrupted before anything ran (no run folder was written)."""


class InterruptFlag:
    def __init__(self) -> None:
        self.requested = False
        self.phase = "start-up"
        """What the run is doing now (named in the record when an interrupt comes)."""
        self.requested_in: str | None = None
        """The phase the first Ctrl-C came in."""
        self.presses = 0
        """Ctrl-C presses so far."""
        self.last_press_phase: str | None = None
        self._shield_depth = 0
        self._previous: object = None
        self._installed = False

    def enter(self, phase: str) -> None:
        self.phase = phase

    def request(self) -> None:
        """What the first Ctrl-C does (also the runner's own note of a KeyboardInterrupt it caught)."""
        if not self.requested:
            self.requested, self.requested_in = True, self.phase

    def describe(self) -> str:
        return f"interrupted by the operator (Ctrl-C) during {self.requested_in or self.phase}"

    def check(self) -> None:
        if self.requested:
            raise RunAborted(self.describe())

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        """A Ctrl-C in here only sets the flag, however often it is pressed."""
        self._shield_depth += 1
        try:
            yield
        finally:
            self._shield_depth -= 1

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.presses += 1
        self.last_press_phase = self.phase
        if self.requested and not self._shield_depth:
            raise KeyboardInterrupt
        self.request()

    def __enter__(self) -> InterruptFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]
            self._installed = False
