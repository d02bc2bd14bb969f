"""A rich progress bar on stderr, in scenario hours; off when not asked for or stderr is not a terminal."""
from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator


@contextlib.contextmanager
def progress_reporter(enabled: bool, duration_h: float) -> Iterator[Callable[[float], None]]:
    if not enabled or not sys.stderr.isatty():
        yield lambda t_h: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("scenario time"), BarColumn(), TextColumn("{task.completed:.1f}/{task.total:.0f} h"),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("run", total=duration_h)
        last = [-1.0]

        def update(t_h: float) -> None:
            if t_h - last[0] >= duration_h / 500 or t_h >= duration_h:
                bar.update(task, completed=t_h)
                last[0] = t_h

        yield update
