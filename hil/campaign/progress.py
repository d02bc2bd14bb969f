"""The campaign's progress bar on stderr: runs done/total, failures so far, time left. Off when not asked for or
stderr is not a terminal."""
from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from hil.campaign.journal import Journal

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def is_failure(line: dict[str, Any]) -> bool:
    return line["outcome"] != "PASS" or line["record_lost"] or bool(line["unsafe"])


class CampaignProgress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self.failures = 0

    def __enter__(self) -> CampaignProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("failures {task.fields[failures]}"), TextColumn("ETA"),
                                 TimeRemainingColumn(), console=Console(stderr=True))
            self._bar.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)

    def start(self, journal: Journal) -> None:
        done = list(journal.finished.values())
        self.failures = sum(1 for line in done if is_failure(line))
        if self._bar is not None:
            self._task = self._bar.add_task("campaign", total=len(journal.planned), completed=len(done),
                                            failures=self.failures)

    def finished(self, line: dict[str, Any]) -> None:
        self.failures += is_failure(line)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, failures=self.failures)
