"""Command prerequisites that do not need dose arithmetic: the state rule, priming, clearing an alarm, a program to
run, a periodic bolus's first run. Pure functions: each returns the findings (with requirement IDs) that refuse a
command; an empty list lets the gate go on. The firmware passes in what it knows (state, line, reservoir)."""
from __future__ import annotations

import math
from collections.abc import Collection

from firmware_sim.safety import checks
from firmware_sim.safety.decision import Finding
from firmware_sim.safety.gate import MAX_PERIODIC_INTERVAL_H
from firmware_sim.units import S_PER_H


def state_findings(trigger: str, allowed_triggers: Collection[str], state_name: str,
                   bolus_running: bool) -> list[Finding]:
    """The transition table allows trigger in the current state (SR-SUP-003), one bolus at a time (SR-BOL-003),
    refill only while not delivering (SR-RES-006)."""
    if trigger in allowed_triggers:
        return []
    if trigger == "start_bolus" and bolus_running:
        return [Finding("SR-BOL-003", "a bolus is already running: one bolus at a time")]
    if trigger == "refill":
        return [Finding("SR-RES-006", f"refill is not allowed in state {state_name} (stop or suspend first)")]
    return [Finding("SR-SUP-003", f"{trigger} is not allowed in state {state_name}")]


def priming_findings(reservoir_conc_mcg_per_ml: float, tip_conc_mcg_per_ml: float, reservoir_volume_ul: float,
                     dead_volume_ul: float, priming_rate_ul_per_h: float,
                     max_actuator_rate_ul_per_h: float) -> list[Finding]:
    """Priming fills pump tubing and catheter once, from a filled reservoir holding at least the priming volume
    (SR-PRM-001), at a rate the actuator may run (SR-DOSE-006)."""
    if reservoir_conc_mcg_per_ml <= 0:
        return [Finding("SR-PRM-001", "reservoir not filled: refill before priming")]
    if tip_conc_mcg_per_ml > 0:
        return [Finding("SR-PRM-001", "catheter already primed: a second priming bolus would push drug into the "
                        "patient at the priming rate")]
    if reservoir_volume_ul < dead_volume_ul:
        return [Finding("SR-PRM-001", f"reservoir {reservoir_volume_ul:g} uL holds less than the priming volume "
                        f"{dead_volume_ul:g} uL")]
    return checks.check_actuator_rate(priming_rate_ul_per_h, max_actuator_rate_ul_per_h)


def clear_alarm_findings(empty_reservoir_latched: bool, reservoir_volume_ul: float) -> list[Finding]:
    """An empty-reservoir alarm clears only after a refill (SR-RES-003)."""
    if empty_reservoir_latched and reservoir_volume_ul <= 0:
        return [Finding("SR-RES-003", "reservoir still empty: refill before clearing the alarm")]
    return []


def program_findings(request: str, program_error: Exception | None, has_program: bool,
                     periodic_only: bool) -> list[Finding]:
    """A therapy command (start, change, resume, bridge) needs a valid program (SR-DOSE-007) or one kept to continue
    (SR-SUP-003); resume with periodic boluses alone needs none."""
    if program_error is not None:
        return [Finding("SR-DOSE-007", f"invalid program: {program_error}")]
    if not has_program and not periodic_only:
        return [Finding("SR-SUP-003", f"{request}: no therapy program to continue")]
    return []


def periodic_first_run_findings(first_t_s: float | None, now_s: float) -> list[Finding]:
    """A periodic bolus's first run, when given, is a finite time not in the past and at most a year ahead
    (SR-DOSE-007, SR-BOL-004)."""
    if first_t_s is None:
        return []
    findings = checks.check_number("first_t_s", first_t_s, -math.inf)
    if not findings and first_t_s < now_s:
        findings.append(Finding("SR-BOL-004", f"first periodic bolus at t={first_t_s} s is in the past"))
    if not findings and first_t_s > now_s + MAX_PERIODIC_INTERVAL_H * S_PER_H:  # at 1e20 s the gate's plans broke
        findings.append(Finding("SR-BOL-004", f"first periodic bolus at t={first_t_s:.6g} s is more than "
                                f"{MAX_PERIODIC_INTERVAL_H:g} h (a year) ahead: set it up nearer its first run"))
    return findings
