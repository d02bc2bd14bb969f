"""PNG plots (matplotlib Agg) of a run record: rate and volumes, delivery residuals, PK concentrations with
envelope limits (and the p5-p95 band of the virtual patients when the scenario names them), the alarm timeline
(always), trumpet and start-up curves when balance samples exist."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from firmware_sim.units import S_PER_H
from hil.gravimetry.trumpet import TrumpetError
from hil.outputs.plots_timeline import alarm_lines, measured_array, plot_alarm_timeline, plot_residuals
from hil.outputs.plots_trumpet import TrumpetLimits, plot_trumpet, run_trumpet
from hil.outputs.report_format import limit_text, unit_label
from hil.records import events as ev
from hil.records.reader import RunRecord

__all__ = ["PlotResult", "plot_trumpet", "run_trumpet", "write_plots"]

PK_PANELS = tuple((output, output.split("_")[0]) for output in ev.PK_SERIES_OUTPUTS)
"""(pk_series output, the site word the envelopes of that site carry in their names): lumbar, cisternal, plasma."""
PK_UNIT = "ng_per_ml"


@dataclass
class PlotResult:
    written: list[Path]
    notes: list[str]


def _save(fig: plt.Figure, path: Path, written: list[Path]) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    written.append(path)


def plot_volumes(record: RunRecord, path: Path, written: list[Path]) -> None:
    samples = record.typed(ev.VolumeSample)
    if not samples:
        return
    t_h = np.array([s.t_s for s in samples]) / S_PER_H
    fig, (rate_ax, volume_ax) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    rates_ul_per_h = np.array([s.rate_ul_per_h for s in samples], dtype=float)
    rate_ax.step(t_h, rates_ul_per_h, where="post")
    rate_ax.set_ylabel("commanded rate (uL/h)")
    positive = rates_ul_per_h[rates_ul_per_h > 0]
    if positive.size and positive.max() > 20 * positive.min():  # priming at ~100x the therapy rate
        rate_ax.set_yscale("symlog", linthresh=float(positive.min()) / 2)
    volumes: tuple[tuple[list[float | None], str], ...] = (
        ([s.commanded_ul for s in samples], "commanded"), ([s.pump_reported_ul for s in samples], "pump reported"),
        ([s.gravimetric_ul for s in samples], "gravimetric"))
    for measured, label in volumes:
        values = measured_array(measured)
        if np.any(np.isfinite(values)):
            volume_ax.plot(t_h, values, label=label)
    volume_ax.set_ylabel("volume (uL)")
    volume_ax.set_xlabel("time (h)")
    volume_ax.legend()
    for ax in (rate_ax, volume_ax):
        alarm_lines(ax, record)
    _save(fig, path, written)


def plot_pk(record: RunRecord, path: Path, written: list[Path]) -> None:
    series = record.typed(ev.PkSeries)
    if not series:
        return
    population = record.typed(ev.PopulationVerdictEvent)
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(9, 8))
    for ax, (key, site) in zip(axes, PK_PANELS):
        for item in series:
            ax.plot(item.t_h, item.output_ng_per_ml(key),
                    label=item.label + (" (typical patient)" if population else ""))
        if population:
            _population_band(ax, population[-1], key)
        for envelope in record.typed(ev.Envelope):
            if site in envelope.name and envelope.unit == PK_UNIT and envelope.limit is not None:
                ax.axhline(envelope.limit, color="red", ls=":",
                           label=f"{envelope.name} {limit_text(envelope.name, envelope.limit, PK_UNIT)}")
        ax.set_ylabel(f"{site} ({unit_label(PK_UNIT)})")
        ax.legend(fontsize="small")
        alarm_lines(ax, record)
    axes[-1].set_xlabel("time (h)")
    _save(fig, path, written)


def _population_band(ax: plt.Axes, population: ev.PopulationVerdictEvent, key: str) -> None:
    """The p5-p95 band of the virtual patients (population_verdict event) around the typical patient's curves."""
    band = (population.bands or {}).get(key)
    if not band or "p5" not in band or "p95" not in band:
        return
    t_h = np.asarray(population.t_h, dtype=float)
    low, high = np.asarray(band["p5"], dtype=float), np.asarray(band["p95"], dtype=float)
    ax.fill_between(t_h, low, high, color="tab:blue", alpha=0.2, lw=0,
                    label=f"p5-p95 of {population.n_patients} virtual patients")


def write_plots(record: RunRecord, run_dir: Path, trumpet_limits: TrumpetLimits | None = None) -> PlotResult:
    """trumpet_limits: None reads them from the record (run_started.trumpet_limits) or takes the defaults."""
    written: list[Path] = []
    notes: list[str] = []
    plot_volumes(record, run_dir / "volumes.png", written)
    if plot_residuals(record, run_dir / "residuals.png"):
        written.append(run_dir / "residuals.png")
    plot_pk(record, run_dir / "pk.png", written)
    plot_alarm_timeline(record, run_dir / "alarms.png")
    written.append(run_dir / "alarms.png")
    if record.typed(ev.BalanceSample):
        try:
            result = run_trumpet(record)
        except TrumpetError as exc:
            notes.append(f"trumpet curve not computed: {exc}")
        else:
            limits = trumpet_limits or TrumpetLimits.from_record(record.started)
            plot_trumpet(result, run_dir / "trumpet.png", run_dir / "startup.png", written, limits)
            outside = limits.violations(result)
            notes.append(f"trumpet curve at {result.rate_ul_per_h:.4g} uL/h: A = {result.mean_error_percent:.2f} %; "
                         + ("outside the accuracy limits: " + "; ".join(outside) if outside
                            else f"within the accuracy limits ({limits.source})"))
    return PlotResult(written=written, notes=notes)
