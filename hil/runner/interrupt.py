"""Ctrl-C (and SIGTERM, and SIGHUP when the terminal closes: each handled alike) as a flag: the run notices it at its
checkpoints (between firmware steps, after set-up and after the
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


SIGNAL_CAUSES: dict[int, str] = {signal.SIGINT: "the operator (Ctrl-C)",
                                 signal.SIGTERM: "a termination request (SIGTERM)",
                                 signal.SIGHUP: "a hang-up (SIGHUP: the terminal or session closed)"}
"""The signals a run stops on as on Ctrl-C (the pump stopped, the record finished as ERROR), and how each is named."""


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
        self.cause = SIGNAL_CAUSES[signal.SIGINT]
        """Who interrupted: the first signal's (SIGNAL_CAUSES); Ctrl-C for a KeyboardInterrupt the runner caught."""
        self.last_press_cause = self.cause
        self._shield_depth = 0
        self._previous: dict[int, object] = {}

    def enter(self, phase: str) -> None:
        self.phase = phase

    def request(self) -> None:
        """What the first Ctrl-C does (also the runner's own note of a KeyboardInterrupt it caught)."""
        if not self.requested:
            self.requested, self.requested_in = True, self.phase

    def describe(self) -> str:
        return f"interrupted by {self.cause} during {self.requested_in or self.phase}"

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
        self.last_press_cause = SIGNAL_CAUSES.get(signum, f"signal {signum}")
        if self.requested and not self._shield_depth:
            raise KeyboardInterrupt
        if not self.requested:
            self.cause = self.last_press_cause
        self.request()

    def __enter__(self) -> InterruptFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = {signum: signal.signal(signum, self._handle) for signum in SIGNAL_CAUSES}
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]
        self._previous = {}
