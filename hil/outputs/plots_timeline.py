"""Time-axis plots: the alarm timeline (always drawn, "no alarms" when there are none) and the delivered-minus-
commanded residuals (pump-reported and weighed volume minus the commanded volume, uL, against time in hours)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from firmware_sim.units import S_PER_H
from hil.records import events as ev
from hil.records.reader import RunRecord

PRIORITY_COLOURS = {"high": "red", "medium": "orange", "low": "gold"}
NO_ALARMS = "no alarms"


def measured_array(values: list[float | None]) -> np.ndarray:
    """Measured volumes as floats, NaN where a volume was not measured (None)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def run_span_h(record: RunRecord) -> float:
    """The run's time axis end: the scenario duration if recorded, else the last timed event (at least 1 h)."""
    started = record.started
    last_s = max((t_s for t_s in (getattr(e, "t_s", None) for e in record.events) if t_s is not None), default=0.0)
    duration_h = started.duration_h if started is not None else None
    return max(float(duration_h) if duration_h is not None else 0.0, last_s / S_PER_H) or 1.0


def alarm_lines(ax: plt.Axes, record: RunRecord) -> None:
    for alarm in record.typed(ev.Alarm):
        ax.axvline(alarm.t_s / S_PER_H, color=PRIORITY_COLOURS.get(alarm.priority, "grey"), lw=0.8, ls="--")


def plot_alarm_timeline(record: RunRecord, path: Path) -> None:
    alarms = record.typed(ev.Alarm)
    names = sorted({a.name for a in alarms})
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.4 * len(names)))
    for alarm in alarms:
        ax.scatter(alarm.t_s / S_PER_H, names.index(alarm.name),
                   color=PRIORITY_COLOURS.get(alarm.priority, "grey"), marker="|", s=400, linewidths=2)
    if names:
        ax.set_yticks(range(len(names)), names)
        ax.set_ylim(-0.6, len(names) - 0.4)
        for priority, colour in PRIORITY_COLOURS.items():
            if any(a.priority == priority for a in alarms):
                ax.scatter([], [], color=colour, marker="|", s=200, label=f"{priority} priority")
        ax.legend(fontsize="small", loc="upper right")
    else:
        ax.set_yticks([])
        ax.text(0.5, 0.5, NO_ALARMS, transform=ax.transAxes, ha="center", va="center", fontsize=14, color="dimgray")
    ax.set_xlim(0, run_span_h(record))
    ax.set_xlabel("time (h)")
    ax.set_title("alarm timeline")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_residuals(record: RunRecord, path: Path) -> bool:
    """False (nothing written) when the record has no volume samples."""
    samples = record.typed(ev.VolumeSample)
    if not samples:
        return False
    t_h = np.array([s.t_s for s in samples], dtype=float) / S_PER_H
    commanded = np.array([s.commanded_ul for s in samples], dtype=float)
    fig, ax = plt.subplots(figsize=(9, 4))
    drawn = False
    for measured, label in (([s.pump_reported_ul for s in samples], "pump reported - commanded"),
                            ([s.gravimetric_ul for s in samples], "weighed - commanded")):
        values = measured_array(measured)
        if np.any(np.isfinite(values)):
            ax.plot(t_h, values - commanded, label=label, lw=0.7, alpha=0.85)
            drawn = True
    ax.axhline(0.0, color="black", lw=0.8)
    if drawn:
        ax.legend(fontsize="small")
    else:
        ax.text(0.5, 0.5, "no pump-reported or weighed volume recorded", transform=ax.transAxes, ha="center",
                va="center", color="dimgray")
    alarm_lines(ax, record)
    ax.set_xlim(0, run_span_h(record))
    ax.set_xlabel("time (h)")
    ax.set_ylabel("delivered - commanded (uL)")
    ax.set_title("delivery residuals")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True
