"""PNG plots (matplotlib Agg): rate and volumes, PK concentrations with envelope limits, alarm timeline,
trumpet and start-up curves when balance samples exist."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from hil.gravimetry.conversion import WATER_DENSITY_G_PER_ML  # noqa: E402
from hil.gravimetry.trumpet import TrumpetConfig, TrumpetError, TrumpetResult, trumpet_curve  # noqa: E402
from hil.records import events as ev  # noqa: E402
from hil.records.reader import RunRecord  # noqa: E402

PRIORITY_COLOURS = {"high": "red", "medium": "orange", "low": "gold"}
PK_PANELS = (("lumbar_csf_ng_per_ml", "lumbar"), ("cisternal_csf_ng_per_ml", "cisternal"), ("plasma_ng_per_ml", "plasma"))


@dataclass
class PlotResult:
    written: list[Path]
    notes: list[str]


def _alarm_lines(ax: plt.Axes, record: RunRecord) -> None:
    for alarm in record.of_kind(ev.ALARM):
        ax.axvline(alarm["t_s"] / 3600.0, color=PRIORITY_COLOURS.get(alarm["priority"], "grey"), lw=0.8, ls="--")


def _save(fig: plt.Figure, path: Path, written: list[Path]) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    written.append(path)


def plot_volumes(record: RunRecord, path: Path, written: list[Path]) -> None:
    samples = record.of_kind(ev.VOLUME_SAMPLE)
    if not samples:
        return
    t_h = np.array([s["t_s"] for s in samples]) / 3600.0
    fig, (rate_ax, volume_ax) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    rates_ul_per_h = np.array([s["rate_ul_per_h"] for s in samples], dtype=float)
    rate_ax.step(t_h, rates_ul_per_h, where="post")
    rate_ax.set_ylabel("commanded rate (uL/h)")
    positive = rates_ul_per_h[rates_ul_per_h > 0]
    if positive.size and positive.max() > 20 * positive.min():  # priming at ~100x the therapy rate
        rate_ax.set_yscale("symlog", linthresh=float(positive.min()) / 2)
    for key, label in (("commanded_ul", "commanded"), ("pump_reported_ul", "pump reported"),
                       ("gravimetric_ul", "gravimetric")):
        values = np.array([np.nan if s[key] is None else s[key] for s in samples], dtype=float)
        if np.any(np.isfinite(values)):
            volume_ax.plot(t_h, values, label=label)
    volume_ax.set_ylabel("volume (uL)")
    volume_ax.set_xlabel("time (h)")
    volume_ax.legend()
    for ax in (rate_ax, volume_ax):
        _alarm_lines(ax, record)
    _save(fig, path, written)


def plot_pk(record: RunRecord, path: Path, written: list[Path]) -> None:
    series = record.of_kind(ev.PK_SERIES)
    if not series:
        return
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(9, 8))
    for ax, (key, site) in zip(axes, PK_PANELS):
        for item in series:
            ax.plot(item["t_h"], item[key], label=item["label"])
        for envelope in record.of_kind(ev.ENVELOPE):
            if site in envelope["name"] and envelope["unit"] == "ng_per_ml":
                ax.axhline(envelope["limit"], color="red", ls=":", label=f"limit {envelope['name']}")
        ax.set_ylabel(f"{site} (ng/mL)")
        ax.legend(fontsize="small")
        _alarm_lines(ax, record)
    axes[-1].set_xlabel("time (h)")
    _save(fig, path, written)


def plot_alarms(record: RunRecord, path: Path, written: list[Path]) -> None:
    alarms = record.of_kind(ev.ALARM)
    if not alarms:
        return
    names = sorted({a["name"] for a in alarms})
    fig, ax = plt.subplots(figsize=(9, 1 + 0.4 * len(names)))
    for alarm in alarms:
        ax.scatter(alarm["t_s"] / 3600.0, names.index(alarm["name"]),
                   color=PRIORITY_COLOURS.get(alarm["priority"], "grey"), marker="|", s=300)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("time (h)")
    _save(fig, path, written)


def run_trumpet(record: RunRecord) -> TrumpetResult:
    """Trumpet analysis of the run's balance log at the commanded rate of the analysis period."""
    balance = record.of_kind(ev.BALANCE_SAMPLE)
    if len(balance) < 2:
        raise TrumpetError("no balance samples in the record")
    started = record.started or {}
    # the log is in scenario time; evaporation runs in wall time, which is time_compression_factor times slower
    evaporation_mg_per_scenario_h = ((started.get("balance_evaporation_rate_mg_per_h") or 0.0)
                                     / started.get("time_compression_factor", 1.0))
    config = TrumpetConfig(density_g_per_ml=started.get("balance_density_g_per_ml", WATER_DENSITY_G_PER_ML),
                           evaporation_rate_mg_per_h=evaporation_mg_per_scenario_h,
                           sample_interval_s=started.get("balance_sample_interval_s") or TrumpetConfig.sample_interval_s)
    t0 = balance[0]["t_s"]
    start_s = t0 + config.analysis_start_min * 60.0
    stop_s = start_s + config.analysis_duration_min * 60.0
    rates = {s["rate_ul_per_h"] for s in record.of_kind(ev.VOLUME_SAMPLE) if start_s <= s["t_s"] <= stop_s}
    if len(rates) != 1 or not next(iter(rates)) > 0:
        raise TrumpetError(f"the commanded rate is not one constant positive value in the analysis period "
                           f"(rates seen: {sorted(rates)})")
    return trumpet_curve(np.array([b["t_s"] for b in balance]), np.array([b["mass_g"] for b in balance]),
                         rates.pop(), config)


def plot_trumpet(result: TrumpetResult, trumpet_path: Path, startup_path: Path | None, written: list[Path]) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    windows = [w.window_min for w in result.windows]
    ax.plot(windows, [w.ep_max_percent for w in result.windows], "o-", label="Ep(max)")
    ax.plot(windows, [w.ep_min_percent for w in result.windows], "o-", label="Ep(min)")
    ax.axhline(result.mean_error_percent, color="grey", ls="--", label=f"A = {result.mean_error_percent:.2f} %")
    ax.set_xlabel("observation window (min)")
    ax.set_ylabel("flow error (%)")
    ax.set_title(f"trumpet curve at {result.rate_ul_per_h:g} uL/h")
    ax.legend()
    _save(fig, trumpet_path, written)
    if startup_path is not None:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        t_min, flow = result.startup_curve()
        ax.plot(t_min, flow)
        ax.axhline(result.rate_ul_per_h, color="grey", ls="--", label="set rate")
        ax.set_xlabel("time (min)")
        ax.set_ylabel("flow (uL/h)")
        ax.set_title("start-up curve")
        ax.legend()
        _save(fig, startup_path, written)


def write_plots(record: RunRecord, run_dir: Path) -> PlotResult:
    written: list[Path] = []
    notes: list[str] = []
    plot_volumes(record, run_dir / "volumes.png", written)
    plot_pk(record, run_dir / "pk.png", written)
    plot_alarms(record, run_dir / "alarms.png", written)
    if record.of_kind(ev.BALANCE_SAMPLE):
        try:
            result = run_trumpet(record)
        except TrumpetError as exc:
            notes.append(f"trumpet curve not computed: {exc}")
        else:
            plot_trumpet(result, run_dir / "trumpet.png", run_dir / "startup.png", written)
    return PlotResult(written=written, notes=notes)
