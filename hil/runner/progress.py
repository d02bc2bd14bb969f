"""What the operator sees on stderr while a run goes: the run folder (one line, at the start), then on a terminal
a progress bar in scenario hours (virtual clock) or the live status of the pump, volumes, balance and alarms
(wall clock, hil.runner.live_view). Nothing but the folder line when stderr is not a terminal or progress is off.
"""
from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, TextIO
from collections.abc import Callable, Iterator

from firmware_sim.units import S_PER_H
from hil.runner.live_status import RunInfo, RunMonitor
from hil.runner.options import RunOptions

if TYPE_CHECKING:
    from rich.console import Console


class _ProgressBar(RunMonitor):
    def __init__(self, update: Callable[[float], None]) -> None:
        self._update = update

    def at(self, t_s: float) -> None:
        self._update(t_s / S_PER_H)


@contextlib.contextmanager
def run_monitor(options: RunOptions, info: RunInfo, monitor: RunMonitor | None = None,
                stream: TextIO | None = None) -> Iterator[RunMonitor]:
    """The monitor the runner feeds: `monitor` if given (told the run has started; no terminal display), else the
    terminal display that fits the clock, else one that does nothing."""
    stream = stream or sys.stderr
    if options.print_run_dir:
        print(f"run folder: {info.run_dir}", file=stream, flush=True)
    if monitor is not None:
        monitor.started(info)
        yield monitor
        return
    if not options.progress or not stream.isatty():
        yield RunMonitor()
        return
    from rich.console import Console

    console = Console(file=stream)
    if info.clock == "wall":
        from hil.runner.live_view import live_display

        with live_display(info, console) as tracker:
            yield tracker
        return
    with _progress_bar(console, info.duration_s / S_PER_H) as update:
        yield _ProgressBar(update)


@contextlib.contextmanager
def _progress_bar(console: Console, duration_h: float) -> Iterator[Callable[[float], None]]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("scenario time"), BarColumn(), TextColumn("{task.completed:.1f}/{task.total:.0f} h"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("run", total=duration_h)
        last = [-1.0]

        def update(t_h: float) -> None:
            if t_h - last[0] >= duration_h / 500 or t_h >= duration_h:
                bar.update(task, completed=t_h)
                last[0] = t_h

        yield update
