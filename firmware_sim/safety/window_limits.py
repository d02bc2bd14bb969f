"""The soft maximum and the titration cap judged on the rolling 24 h window too (SR-DOSE-009, SR-TIT-003).

A program's daily dose says what a day of it gives, not what the 24 h around its start get. Re-timing a flex
schedule (one giving its doses 18-24 h, then one giving the same doses 0-6 h) puts two days' doses in one window
while each program's daily dose, and so the programmed-dose checks (SR-DOSE-002, SR-TIT-001), stay the same.

A therapy command is therefore also judged on the 24 h windows of the therapy as programmed (basal and periodic
boluses: firmware_sim.pump.programmed_history, then the plan; clinician boluses, PTM presses, priming and bridges are
not therapy, and what a pump delivered fast or slow is not what was programmed). A window is too full when, with the
command, it holds more than the soft maximum, or more than the daily dose approved as of one titration interval ago
plus the titration cap (successive re-timings, or an increase and a re-timing, cannot each add a cap), and more than
the same window holds without the command (the therapy as it stands). Window by window: a window full without the
command is not the command's doing, and another window's fill does not excuse this one. Both findings are soft: a
clinician may mean the change and confirm it explicitly; the override is recorded.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from firmware_sim.safety.checks import titration_cap
from firmware_sim.safety.decision import Finding
from firmware_sim.safety.limits import DrugLimits, Indication
from firmware_sim.safety.window import RatePiece
from firmware_sim.units import S_PER_H

ROUNDING_MCG = 1e-6
"""Below this a window's excess is float rounding, not dose (two plans of the same doses summed in other orders) ..."""


def _rounding_mcg(pieces: Sequence[RatePiece]) -> float:
    """... or below the running sums' own rounding (n pieces, every dose summed: n eps of the total, four times for
    the two ends of a window and the two plans), which a plan a year long takes above ROUNDING_MCG."""
    total_mcg = sum(abs(p.rate_mcg_per_h) * abs(p.end_s - p.start_s) for p in pieces) / S_PER_H
    return ROUNDING_MCG + 4.0 * len(pieces) * float(np.finfo(float).eps) * total_mcg


@dataclass(frozen=True)
class TherapyWindows:
    """The therapy as programmed over the last window, and from now on with and without the command."""

    programmed_past: tuple[RatePiece, ...]
    """From now - one window to now."""
    if_approved: tuple[RatePiece, ...]
    if_refused: tuple[RatePiece, ...]
    now_s: float
    plan_end_s: float
    """Both plans run to here (two windows past now, or past the later periodic bolus's next run)."""


class ReferenceSource(Enum):
    """Where the titration reference of the window limits comes from (GateInputs._window_reference)."""

    LAST_APPROVED = "the daily dose of the last approved therapy"
    APPROVED_AN_INTERVAL_AGO = "the daily dose approved as of one titration interval ago"
    PROGRAMMED_WINDOW = "the largest window of the therapy as programmed over the day before"


@dataclass(frozen=True)
class WindowReference:
    """The titration reference of the window limits, mcg per window, and what it is."""

    dose_mcg: float
    source: ReferenceSource
    window_starts_s: tuple[float, float] | None = None
    """PROGRAMMED_WINDOW: the first and last start of the windows it is the largest of."""

    def described(self, limits: DrugLimits) -> str:
        if self.source is ReferenceSource.APPROVED_AN_INTERVAL_AGO:
            what = f"the daily dose approved as of {limits.titration_min_interval_h:g} h ago"
        elif self.source is ReferenceSource.PROGRAMMED_WINDOW and self.window_starts_s is not None:
            first_s, last_s = self.window_starts_s
            starts = f"at t={first_s:.0f} s" if first_s == last_s else f"between t={first_s:.0f} s and t={last_s:.0f} s"
            what = f"the largest {limits.window_h:g} h window of the therapy as programmed starting {starts}"
        else:
            what = self.source.value
        return f"{what}, {self.dose_mcg:.6g} mcg"


@dataclass(frozen=True)
class _Excess:
    start_s: float
    with_mcg: float
    without_mcg: float


def _window_doses_mcg(pieces: Sequence[RatePiece], starts_s: np.ndarray, window_s: float) -> np.ndarray:
    """The dose of the pieces in the window of window_s from each start. The cumulative dose is linear between the
    pieces' edges: summed once at the edges (rate changes, then their running sums), then interpolated, so time and
    memory grow with pieces + starts, not their product (a plan a year long has hundreds of thousands of pieces)."""
    if not pieces:
        return np.zeros_like(starts_s)
    table = np.array(pieces, dtype=float).reshape(-1, 3)
    edges_s = np.concatenate([table[:, 0], table[:, 1]])
    changes = np.concatenate([table[:, 2], -table[:, 2]])
    order = np.argsort(edges_s, kind="stable")
    edges_s, rate_after = edges_s[order], np.cumsum(changes[order])
    cumulative = np.concatenate([[0.0], np.cumsum(rate_after[:-1] * np.diff(edges_s))]) / S_PER_H
    return np.asarray(np.interp(starts_s + window_s, edges_s, cumulative) - np.interp(starts_s, edges_s, cumulative))


def _starts_s(pieces: Sequence[RatePiece], low_s: float, high_s: float, window_s: float) -> np.ndarray:
    """Every start in [low_s, high_s] where a window's dose changes slope (a piece edge at its start or end), and
    the two ends; between two of them every window dose of these pieces is linear."""
    edges = np.array([t for p in pieces for t in (p.start_s, p.end_s)], dtype=float)
    starts = np.concatenate([edges, edges - window_s, [low_s, high_s]])
    return np.unique(starts[(starts >= low_s) & (starts <= high_s)])


def largest_window_mcg(pieces: Sequence[RatePiece], low_s: float, high_s: float, window_s: float) -> float:
    """The largest dose of the pieces in a window of window_s starting in [low_s, high_s]."""
    return float(_window_doses_mcg(pieces, _starts_s(pieces, low_s, high_s, window_s), window_s).max())


def _largest_excess(starts_s: np.ndarray, with_mcg: np.ndarray, without_mcg: np.ndarray, limit_mcg: float,
                    tol_mcg: float) -> _Excess | None:
    """The fullest window that holds more than limit_mcg and more than without the command, or None. Between two
    starts both doses are linear, so min(with - limit, with - without) peaks at a start or where without = limit."""
    starts, withs, withouts = list(starts_s), list(with_mcg), list(without_mcg)
    over = without_mcg - limit_mcg
    for i in np.flatnonzero(over[:-1] * over[1:] < 0):
        share = over[i] / (over[i] - over[i + 1])
        starts.append(starts_s[i] + share * (starts_s[i + 1] - starts_s[i]))
        withs.append(with_mcg[i] + share * (with_mcg[i + 1] - with_mcg[i]))
        withouts.append(without_mcg[i] + share * (without_mcg[i + 1] - without_mcg[i]))
    found = [_Excess(s, w, o) for s, w, o in zip(starts, withs, withouts)
             if w - limit_mcg > tol_mcg and w - o > tol_mcg]
    return max(found, key=lambda e: (e.with_mcg, -e.start_s), default=None)


def window_limit_findings(windows: TherapyWindows, limits: DrugLimits, indication: Indication,
                          reference: WindowReference | None, pediatric: bool, found_ids: set[str]) -> list[Finding]:
    """reference: the titration reference (TitrationContext.window_reference; None: nothing programmed yet, no
    titration to judge). found_ids: requirement IDs already found on the programmed daily dose (their window forms are
    then not repeated)."""
    window_s = limits.window_h * S_PER_H
    judge_soft_max = "SR-DOSE-009" not in found_ids and "SR-DOSE-002" not in found_ids
    judge_titration = reference is not None and "SR-TIT-001" not in found_ids
    if not (judge_soft_max or judge_titration) or not windows.if_approved:
        return []
    pieces = windows.programmed_past + windows.if_approved + windows.if_refused
    starts_s = np.union1d(_starts_s(pieces, windows.now_s - window_s, windows.plan_end_s - window_s, window_s),
                          [windows.now_s])  # the plan reaches two windows past now: now is among the starts
    with np.errstate(over="ignore", invalid="ignore"):  # overflowing plans are refused by the hard window check
        tol_mcg = _rounding_mcg(pieces)
        with_mcg = _window_doses_mcg(windows.programmed_past + windows.if_approved, starts_s, window_s)
        without_mcg = _window_doses_mcg(windows.programmed_past + windows.if_refused, starts_s, window_s)
    if not (np.isfinite(with_mcg).all() and np.isfinite(without_mcg).all()):
        return []
    findings = []
    span = f"the {limits.window_h:g} h window starting at t="
    soft_max_mcg = limits.soft_max_for_mcg(indication)
    excess = _largest_excess(starts_s, with_mcg, without_mcg, soft_max_mcg, tol_mcg) if judge_soft_max else None
    if excess is not None:
        findings.append(Finding("SR-DOSE-009", f"programmed dose {excess.with_mcg:.6g} mcg in {span}"
                                f"{excess.start_s:.0f} s (basal and periodic boluses as programmed) exceeds the "
                                f"{indication.value}-origin soft maximum {soft_max_mcg:.6g} mcg/day (that window holds "
                                f"{excess.without_mcg:.6g} mcg without this command; needs an explicit override)",
                                soft=True))
    if judge_titration and reference is not None:
        cap, which = titration_cap(limits, indication, pediatric)
        excess = _largest_excess(starts_s, with_mcg, without_mcg, reference.dose_mcg * (1.0 + cap), tol_mcg)
        if excess is not None:
            above = f"{excess.with_mcg / reference.dose_mcg - 1.0:.1%} above" if reference.dose_mcg > 0 else "above"
            findings.append(Finding("SR-TIT-003", f"programmed dose {excess.with_mcg:.6g} mcg in {span}"
                                    f"{excess.start_s:.0f} s is {above} {reference.described(limits)}, "
                                    f"more than the {which} cap {cap:.0%} per "
                                    f"{limits.titration_min_interval_h:g} h (that window holds "
                                    f"{excess.without_mcg:.6g} mcg without this command: more than one titration "
                                    f"step's increase in one window; needs an explicit override)",
                                    soft=True))
    return findings
