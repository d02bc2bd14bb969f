"""The soft maximum and the titration cap judged on the rolling 24 h window too (SR-DOSE-009, SR-TIT-003).

A program's daily dose says what a day of it gives, not what the 24 h around its start get. Re-timing a flex
schedule (one giving its doses 18-24 h, then one giving the same doses 0-6 h) puts two days' doses in one window
while each program's daily dose, and so the programmed-dose checks (SR-DOSE-002, SR-TIT-001), stay the same.
A therapy command is therefore also judged on the largest window of delivered plus planned dose with it, against
the largest without it (what runs if it is refused). Both findings are soft: a clinician may mean the change and
confirm it explicitly; the override is recorded.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from firmware_sim.safety.checks import DOSE_ROUNDING_MCG, exceeds, titration_cap
from firmware_sim.safety.decision import Finding
from firmware_sim.safety.limits import DrugLimits, Indication
from firmware_sim.safety.window import DoseHistory, RatePiece, max_window_dose_above_mcg, max_window_dose_mcg
from firmware_sim.units import S_PER_H


def window_limit_findings(history: DoseHistory, planned_if_approved: Sequence[RatePiece],
                          planned_if_refused: Sequence[RatePiece], limits: DrugLimits, indication: Indication,
                          reference_daily_dose_mcg: float | None, pediatric: bool,
                          found_ids: set[str]) -> list[Finding]:
    """reference_daily_dose_mcg: the last approved therapy's daily dose (None: nothing programmed yet, no titration
    to judge). found_ids: requirement IDs already found on the programmed daily dose (their window forms are then
    not repeated)."""
    window_s = limits.window_h * S_PER_H
    soft_max_mcg = limits.soft_max_for_mcg(indication)
    cap, which = titration_cap(limits, indication, pediatric)
    judge_soft_max = "SR-DOSE-002" not in found_ids
    judge_titration = reference_daily_dose_mcg is not None and "SR-TIT-001" not in found_ids
    thresholds_mcg = ([soft_max_mcg] if judge_soft_max else []) + (
        [reference_daily_dose_mcg * (1.0 + cap)] if judge_titration and reference_daily_dose_mcg is not None else [])
    if not thresholds_mcg:
        return []
    with np.errstate(over="ignore", invalid="ignore"):  # overflowing plans are refused by the hard window check
        found = max_window_dose_above_mcg(history, planned_if_approved, window_s, min(thresholds_mcg))
        if found is None or not math.isfinite(found[0]):
            return []
        without_mcg = max_window_dose_mcg(history, planned_if_refused, window_s)[0]
    with_mcg, start_s = found
    if not exceeds(with_mcg, without_mcg + DOSE_ROUNDING_MCG):
        return []  # the window is that full without this command: it is not the command's doing
    where = f"delivered plus planned dose {with_mcg:.6g} mcg in the {limits.window_h:g} h window starting at " \
            f"t={start_s:.0f} s"
    findings = []
    if judge_soft_max and exceeds(with_mcg, soft_max_mcg + DOSE_ROUNDING_MCG):
        findings.append(Finding("SR-DOSE-009", f"{where} exceeds the {indication.value}-origin soft maximum "
                                f"{soft_max_mcg:.6g} mcg/day (the largest window without this command holds "
                                f"{without_mcg:.6g} mcg; needs an explicit override)", soft=True))
    if judge_titration and reference_daily_dose_mcg is not None:
        baseline_mcg = max(reference_daily_dose_mcg, without_mcg)
        increase = with_mcg / baseline_mcg - 1.0 if baseline_mcg > 0 else math.inf
        if exceeds(with_mcg, baseline_mcg * (1.0 + cap) + DOSE_ROUNDING_MCG):
            findings.append(Finding("SR-TIT-003", f"{where} is {increase:.1%} above {baseline_mcg:.6g} mcg (the "
                                    f"larger of the last approved daily dose and the largest window without this "
                                    f"command), more than the {which} cap {cap:.0%} per "
                                    f"{limits.titration_min_interval_h:g} h (needs an explicit override)", soft=True))
    return findings
