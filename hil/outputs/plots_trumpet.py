"""Trumpet and start-up curves (IEC 60601-2-24 method) with the acceptance limits drawn on the trumpet.

IEC 60601-2-24 prescribes how the trumpet curve is measured, not a pass band: the limits are the accuracy the
manufacturer discloses (reference clinical-and-device.md: SynchroMed II +/-14.5 % [C]; external pumps +/-2 to
+/-6 %). So the limits are TrumpetLimits, configurable: the default band is the implanted intrathecal pump's
+/-14.5 % accuracy for the mean error A; per-window Ep limits are drawn only where given. A run record can carry
its own in run_started.trumpet_limits ({"mean_error_percent": 5, "ep_percent_by_window_min": {"2": 20}}).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from firmware_sim.units import S_PER_MIN
from hil.gravimetry.conversion import WATER_DENSITY_G_PER_ML
from hil.gravimetry.trumpet import TrumpetConfig, TrumpetError, TrumpetResult, trumpet_curve
from hil.records import events as ev
from hil.records.reader import RunRecord

SYNCHROMED_ACCURACY_PERCENT = 14.5
"""SynchroMed II flow accuracy band (clinical-and-device.md, section 6, [C])."""


@dataclass(frozen=True)
class TrumpetLimits:
    mean_error_percent: float = SYNCHROMED_ACCURACY_PERCENT
    """|A| must stay within this band."""
    ep_percent_by_window_min: Mapping[float, float] = field(default_factory=dict)
    """Ep(max) <= +limit and Ep(min) >= -limit for an observation window of that many minutes (none by default:
    the standard leaves them to the manufacturer's disclosure)."""
    source: str = "default: SynchroMed II accuracy band +/-14.5 % (IEC 60601-2-24 sets no fixed band)"

    def __post_init__(self) -> None:
        if not self.mean_error_percent > 0:
            raise ValueError(f"trumpet mean_error_percent must be > 0, got {self.mean_error_percent}")
        for window, limit in self.ep_percent_by_window_min.items():
            if not (float(window) > 0 and float(limit) > 0):
                raise ValueError(
                    f"trumpet ep_percent_by_window_min: window {window} min, limit {limit} %: both must be > 0"
                )

    @classmethod
    def from_record(cls, started: ev.RunStarted | None) -> TrumpetLimits:
        recorded = started.trumpet_limits if started is not None else None
        if not isinstance(recorded, Mapping):
            return cls()
        return cls(mean_error_percent=float(recorded.get("mean_error_percent", SYNCHROMED_ACCURACY_PERCENT)),
                   ep_percent_by_window_min={float(k): float(v) for k, v in
                                             (recorded.get("ep_percent_by_window_min") or {}).items()},
                   source="recorded in run_started.trumpet_limits")

    def violations(self, result: TrumpetResult) -> list[str]:
        found = []
        if abs(result.mean_error_percent) > self.mean_error_percent:
            found.append(f"A = {result.mean_error_percent:.2f} % outside +/-{self.mean_error_percent:g} %")
        for window in result.windows:
            limit = self.ep_percent_by_window_min.get(float(window.window_min))
            if limit is not None and (window.ep_max_percent > limit or window.ep_min_percent < -limit):
                found.append(f"{window.window_min:g} min window: Ep {window.ep_min_percent:.1f} to "
                             f"{window.ep_max_percent:.1f} % outside +/-{limit:g} %")
        return found


def run_trumpet(record: RunRecord) -> TrumpetResult:
    """Trumpet analysis of the run's balance log at the commanded rate of the analysis period."""
    balance = record.typed(ev.BalanceSample)
    if len(balance) < 2:
        raise TrumpetError("no balance samples in the record")
    started = record.started
    config = TrumpetConfig() if started is None else TrumpetConfig(
        density_g_per_ml=(WATER_DENSITY_G_PER_ML if started.balance_density_g_per_ml is None
                          else started.balance_density_g_per_ml),
        # the log is in scenario time; evaporation runs in wall time, which is time_compression_factor times slower
        evaporation_rate_mg_per_h=(started.balance_evaporation_rate_mg_per_h or 0.0) / started.time_compression_factor,
        sample_interval_s=started.balance_sample_interval_s or TrumpetConfig.sample_interval_s,
    )
    t0 = balance[0].t_s
    start_s = t0 + config.analysis_start_min * S_PER_MIN
    stop_s = start_s + config.analysis_duration_min * S_PER_MIN
    rates = {s.rate_ul_per_h for s in record.typed(ev.VolumeSample) if start_s <= s.t_s <= stop_s}
    if len(rates) != 1 or not next(iter(rates)) > 0:
        raise TrumpetError(f"the commanded rate is not one constant positive value in the analysis period "
                           f"(rates seen: {sorted(rates)})")
    return trumpet_curve(np.array([b.t_s for b in balance]), np.array([b.mass_g for b in balance]),
                         rates.pop(), config)


def _save(fig: plt.Figure, path: Path, written: list[Path]) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    written.append(path)


def plot_trumpet(result: TrumpetResult, trumpet_path: Path, startup_path: Path | None, written: list[Path],
                 limits: TrumpetLimits | None = None) -> None:
    limits = limits or TrumpetLimits()
    fig, ax = plt.subplots(figsize=(8, 5))
    windows = [w.window_min for w in result.windows]
    ax.plot(windows, [w.ep_max_percent for w in result.windows], "o-", label="Ep(max)")
    ax.plot(windows, [w.ep_min_percent for w in result.windows], "o-", label="Ep(min)")
    ax.axhline(result.mean_error_percent, color="grey", ls="--", label=f"A = {result.mean_error_percent:.2f} %")
    band = limits.mean_error_percent
    ax.axhspan(-band, band, color="green", alpha=0.08)
    for sign in (1, -1):
        ax.axhline(sign * band, color="green", ls=":", lw=1.2,
                   label=f"limit for A (mean error) +/-{band:g} %" if sign > 0 else None)
    if limits.ep_percent_by_window_min:
        points = sorted(limits.ep_percent_by_window_min.items())
        ax.plot([w for w, _ in points], [p for _, p in points], "v:", color="red", label="Ep limit")
        ax.plot([w for w, _ in points], [-p for _, p in points], "^:", color="red")
    ax.set_xlabel("observation window (min)")
    ax.set_ylabel("flow error (%)")
    ax.set_title(f"trumpet curve at {result.rate_ul_per_h:.4g} uL/h (IEC 60601-2-24 method)")
    ax.text(0.99, 0.02, f"limits: {limits.source}", transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
            color="dimgray")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    _save(fig, trumpet_path, written)
    if startup_path is not None:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        t_min, flow = result.startup_curve()
        ax.plot(t_min, flow)
        ax.axhline(result.rate_ul_per_h, color="grey", ls="--", label="set rate")
        ax.set_xlabel("time (min)")
        ax.set_ylabel("flow (uL/h)")
        ax.set_title("start-up curve")
        ax.grid(alpha=0.3)
        ax.legend()
        _save(fig, startup_path, written)
