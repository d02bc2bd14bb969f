"""The live status of a wall-clock run on the terminal: a rich renderable drawn from a StatusSnapshot.

render_status(snapshot) is pure (a rich Table); live_display(info, console) runs a rich Live on that console that
redraws the tracker's latest snapshot a few times a second, and yields the tracker for the runner to feed.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from firmware_sim.units import S_PER_H, S_PER_MIN
from hil.runner.live_status import RunInfo, StatusSnapshot, StatusTracker

REFRESH_PER_S = 2.0
PRIORITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def _volume(value_ul: float | None) -> str:
    return "-" if value_ul is None else f"{value_ul:.2f} uL"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    total = int(round(seconds))
    hours, rest = divmod(total, int(S_PER_H))
    minutes, seconds = divmod(rest, int(S_PER_MIN))
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def _hours(t_s: float) -> str:
    return f"{t_s / S_PER_H:.3f} h"


def _rate(snapshot: StatusSnapshot) -> str:
    per_day = snapshot.rate_mcg_per_day
    text = f"{snapshot.rate_ul_per_h:.3f} uL/h"
    if per_day is not None:
        text += f"   {per_day:.1f} mcg/day (at {snapshot.conc_mcg_per_ml:g} mcg/mL)"
    return text


def _volumes(snapshot: StatusSnapshot) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column(justify="right")
    grid.add_column()
    sampled = f"sample at {_hours(snapshot.volumes_t_s)}" if snapshot.volumes_t_s is not None else "no sample yet"
    grid.add_row("commanded", _volume(snapshot.commanded_ul), sampled)
    grid.add_row("pump-reported", _volume(snapshot.pump_reported_ul), "")
    grid.add_row("weighed", _volume(snapshot.gravimetric_ul), "")
    return grid


def _balance(snapshot: StatusSnapshot) -> str:
    reading = snapshot.balance
    if reading is None:
        return "no reading yet"
    stable = "stable" if reading.stable else "UNSTABLE"
    return f"{reading.mass_g:.4f} g   {stable}   age {snapshot.balance_age_wall_s:.0f} s"


def _alarms(snapshot: StatusSnapshot) -> Text:
    if not snapshot.alarms:
        return Text("none")
    text = Text()
    for i, alarm in enumerate(snapshot.alarms):
        if i:
            text.append("\n")
        text.append(f"{alarm.name} ({alarm.priority})", style=PRIORITY_STYLE.get(alarm.priority, "bold red"))
        text.append(f" at {_hours(alarm.t_s)}")
        if alarm.cleared_t_s is not None:
            text.append(f", cleared at {_hours(alarm.cleared_t_s)}")
    return text


def render_status(snapshot: StatusSnapshot) -> RenderableType:
    info = snapshot.info
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    compression = f", time compression x{info.time_compression_factor:g}" if info.time_compression_factor != 1 else ""
    table.add_row("run", f"{info.scenario_name} ({info.clock} clock{compression})")
    table.add_row("folder", str(info.run_dir))
    table.add_row("pump state", snapshot.state)
    table.add_row("rate", _rate(snapshot))
    table.add_row("volumes", _volumes(snapshot))
    table.add_row("balance", _balance(snapshot))
    table.add_row("alarms", _alarms(snapshot))
    table.add_row("scenario", f"{_hours(snapshot.t_s)} elapsed, {_hours(snapshot.remaining_s)} left "
                              f"of {_hours(info.duration_s)}")
    table.add_row("wall", f"{_clock(snapshot.wall_elapsed_s)} elapsed, {_clock(snapshot.remaining_wall_s)} left")
    return table


@contextlib.contextmanager
def live_display(info: RunInfo, console: Console, tracker: StatusTracker | None = None) -> Iterator[StatusTracker]:
    """The live status on `console` while the block runs; the last frame stays on the terminal."""
    from rich.live import Live

    tracker = tracker or StatusTracker()
    tracker.started(info)

    def frame() -> RenderableType:
        snapshot = tracker.snapshot  # one read: the runner replaces it, never changes it in place
        return render_status(snapshot) if snapshot is not None else Text("")

    with Live(get_renderable=frame, console=console, refresh_per_second=REFRESH_PER_S, transient=False,
              redirect_stdout=False):
        yield tracker
