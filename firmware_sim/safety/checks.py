"""Single-limit checks. Each returns the findings (broken limits) for one rule; an empty list passes."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.safety.decision import Finding
from firmware_sim.safety.limits import DrugLimits, Indication
from firmware_sim.safety.window import DoseHistory, RatePiece, max_window_dose_above_mcg
from firmware_sim.units import S_PER_H

DOSE_ROUNDING_MCG = 1e-9
"""How far a 24 h window dose may be off by float rounding: it is a difference of running sums that grow over
the whole run, so its rounding does not scale with the limit."""
ROUNDING_REL_TOL = 1e-12
"""How far a value may pass a limit by float rounding alone, as a fraction of the limit (dimensionless)."""


def exceeds(value: float, limit: float) -> bool:
    """value > limit, beyond float rounding (in any unit, the same for both)."""
    return value > limit + ROUNDING_REL_TOL * abs(limit)


def falls_short(value: float, minimum: float) -> bool:
    """value < minimum, beyond float rounding (in any unit, the same for both)."""
    return value < minimum - ROUNDING_REL_TOL * abs(minimum)


def shorter_than(interval_s: float, minimum_s: float) -> bool:
    """An interval between two clock times is shorter than minimum_s beyond the clock's rounding."""
    return interval_s < minimum_s - TIME_EPS_S


def _listed(value: float, listed: Sequence[float]) -> bool:
    return any(math.isclose(value, x, rel_tol=ROUNDING_REL_TOL) for x in listed)


def check_number(name: str, value: float, minimum: float = 0.0, allow_equal: bool = False) -> list[Finding]:
    """A request value must be a finite number above the minimum (SR-DOSE-007)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and (
        value >= minimum if allow_equal else value > minimum)
    if ok:
        return []
    relation = ">=" if allow_equal else ">"
    return [Finding("SR-DOSE-007", f"{name} must be a finite number {relation} {minimum}, got {value!r}")]


def check_concentration(conc_mcg_per_ml: float, limits: DrugLimits) -> list[Finding]:
    if not _listed(conc_mcg_per_ml, limits.allowed_conc_mcg_per_ml):
        return [Finding("SR-DOSE-004", f"concentration {conc_mcg_per_ml} mcg/mL is not in the {limits.drug_name} "
                        f"library {list(limits.allowed_conc_mcg_per_ml)} mcg/mL")]
    return []


def check_therapy_concentration(conc_mcg_per_ml: float, limits: DrugLimits) -> list[Finding]:
    if _listed(conc_mcg_per_ml, limits.screening_only_conc_mcg_per_ml):
        return [Finding("SR-DOSE-005", f"concentration {conc_mcg_per_ml} mcg/mL is for screening boluses only, "
                        "not for continuous therapy")]
    return []


def is_screening_only(conc_mcg_per_ml: float, limits: DrugLimits) -> bool:
    return _listed(conc_mcg_per_ml, limits.screening_only_conc_mcg_per_ml)


def check_screening_interval(conc_mcg_per_ml: float, last_screening_bolus_s: float | None, now_s: float,
                             limits: DrugLimits) -> list[Finding]:
    """A clinician's bolus at a screening-only concentration is a screening bolus: at least
    screening_min_interval_h after the previous one (SR-BOL-007)."""
    if last_screening_bolus_s is None or not is_screening_only(conc_mcg_per_ml, limits):
        return []
    waited_h = (now_s - last_screening_bolus_s) / S_PER_H
    if shorter_than(now_s - last_screening_bolus_s, limits.screening_min_interval_h * S_PER_H):
        return [Finding("SR-BOL-007", f"screening bolus {waited_h:.3g} h after the previous one; screening boluses "
                        f"are at least {limits.screening_min_interval_h:g} h apart")]
    return []


def check_program_daily_dose(daily_dose_mcg: float, limits: DrugLimits,
                             indication: Indication = Indication.SPINAL) -> list[Finding]:
    if exceeds(daily_dose_mcg, limits.hard_max_daily_dose_mcg):
        return [Finding("SR-DOSE-001", f"programmed daily dose {daily_dose_mcg:.6g} mcg/day exceeds the hard maximum "
                        f"{limits.hard_max_daily_dose_mcg:.6g} mcg/day")]
    soft_max_mcg = limits.soft_max_for_mcg(indication)
    if exceeds(daily_dose_mcg, soft_max_mcg):
        return [Finding("SR-DOSE-002", f"programmed daily dose {daily_dose_mcg:.6g} mcg/day exceeds the "
                        f"{indication.value}-origin soft maximum {soft_max_mcg:.6g} mcg/day (needs an explicit "
                        f"override)", soft=True)]
    return []


def check_drug_rate(rate_mcg_per_h: float, limits: DrugLimits) -> list[Finding]:
    if exceeds(rate_mcg_per_h, limits.max_rate_mcg_per_h):
        return [Finding("SR-DOSE-006", f"rate {rate_mcg_per_h:.6g} mcg/h exceeds the maximum rate "
                        f"{limits.max_rate_mcg_per_h:.6g} mcg/h")]
    return []


def check_actuator_rate(rate_ul_per_h: float, max_rate_ul_per_h: float) -> list[Finding]:
    if exceeds(rate_ul_per_h, max_rate_ul_per_h):
        return [Finding("SR-DOSE-006", f"actuator rate {rate_ul_per_h:.6g} uL/h exceeds the pump maximum "
                        f"{max_rate_ul_per_h:.6g} uL/h")]
    return []


def titration_cap(limits: DrugLimits, indication: Indication, pediatric: bool) -> tuple[float, str]:
    """The largest daily-dose increase per titration interval (a fraction) and whose cap it is: the indication's,
    for a child the lower of that and the pediatric cap."""
    cap, which = limits.titration_cap_fraction[indication], f"{indication.value}-origin"
    pediatric_cap = limits.pediatric_titration_cap_fraction
    if pediatric and pediatric_cap is not None and pediatric_cap < cap:
        cap, which = pediatric_cap, "pediatric"
    return cap, which


def check_titration(new_daily_dose_mcg: float, reference_daily_dose_mcg: float | None,
                    last_change_s: float | None, now_s: float, indication: Indication,
                    limits: DrugLimits, pediatric: bool) -> list[Finding]:
    """An increase over the reference daily dose is capped per indication (for a child, the lower of that and the
    pediatric cap) and allowed once per interval."""
    if reference_daily_dose_mcg is None or not exceeds(new_daily_dose_mcg, reference_daily_dose_mcg):
        return []
    findings = []
    cap, which = titration_cap(limits, indication, pediatric)
    increase = new_daily_dose_mcg / reference_daily_dose_mcg - 1.0 if reference_daily_dose_mcg > 0 else math.inf
    if exceeds(increase, cap):
        findings.append(Finding("SR-TIT-001", f"daily dose increase {increase:.1%} from {reference_daily_dose_mcg:.6g} "
                                f"to {new_daily_dose_mcg:.6g} mcg/day exceeds the {which} cap "
                                f"{cap:.0%} per {limits.titration_min_interval_h:g} h"))
    if last_change_s is not None:
        elapsed_h = (now_s - last_change_s) / S_PER_H
        if shorter_than(now_s - last_change_s, limits.titration_min_interval_h * S_PER_H):
            findings.append(Finding("SR-TIT-002", f"daily dose increase only {elapsed_h:.2f} h after the last dose "
                                    f"programming; at most one increase per {limits.titration_min_interval_h:g} h"))
    return findings


def check_bolus(dose_mcg: float, duration_min: float, limits: DrugLimits) -> list[Finding]:
    findings = check_number("dose_mcg", dose_mcg) + check_number("duration_min", duration_min)
    if findings:
        return findings
    if exceeds(dose_mcg, limits.max_bolus_dose_mcg):
        findings.append(Finding("SR-BOL-001", f"bolus {dose_mcg:.6g} mcg exceeds the maximum bolus "
                                f"{limits.max_bolus_dose_mcg:.6g} mcg"))
    if falls_short(duration_min, limits.min_bolus_duration_min):
        findings.append(Finding("SR-BOL-002", f"bolus duration {duration_min:.6g} min is shorter than the minimum "
                                f"{limits.min_bolus_duration_min:.6g} min"))
    return findings


def check_window(history: DoseHistory, planned: Sequence[RatePiece], limits: DrugLimits) -> list[Finding]:
    window_s = limits.window_h * S_PER_H
    threshold_mcg = limits.hard_max_daily_dose_mcg + DOSE_ROUNDING_MCG
    # None: the largest window dose (max_window_dose_mcg) is certainly within the threshold.
    with np.errstate(over="ignore", invalid="ignore"):  # a plan whose doses overflow is judged below, not warned of
        found = max_window_dose_above_mcg(history, planned, window_s, threshold_mcg)
    if found is not None and not math.isfinite(found[0]):  # fail closed: a dose that cannot be computed is refused
        return [Finding("SR-DOSE-003", f"delivered plus planned dose in the {limits.window_h:g} h window is not a "
                        f"finite number ({found[0]} mcg: the plan's rates overflow the arithmetic), so it cannot be "
                        f"shown within the hard maximum {limits.hard_max_daily_dose_mcg:.6g} mcg")]
    if found is not None and found[0] > threshold_mcg:
        dose_mcg, start_s = found
        return [Finding("SR-DOSE-003", f"delivered plus planned dose {dose_mcg:.6g} mcg in the {limits.window_h:g} h "
                        f"window starting at t={start_s:.0f} s exceeds the hard maximum "
                        f"{limits.hard_max_daily_dose_mcg:.6g} mcg")]
    return []
