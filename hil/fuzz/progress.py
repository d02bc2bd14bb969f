"""The fuzz progress bar: frames done of all devices', failures so far, frames/s. On stderr, only on a terminal."""
from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class FuzzProgress:
    def __init__(self, total_frames: int, enabled: bool = True) -> None:
        self.total_frames = total_frames
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None
        self._failures_before = 0

    def __enter__(self) -> FuzzProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("failures {task.fields[failures]}"), TimeRemainingColumn(),
                                 console=Console(stderr=True))
            self._bar.__enter__()
            self._task = self._bar.add_task("fuzz", total=self.total_frames, failures=0)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)

    def device(self, name: str, n_failures_so_far: int) -> None:
        """A device starts; n_failures_so_far counts the devices before it."""
        self._failures_before = n_failures_so_far
        if self._bar is not None:
            self._bar.update(self._task, description=f"fuzz {name}")

    def advance(self, n_frames: int, n_device_failures: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=n_frames, failures=self._failures_before + n_device_failures)
