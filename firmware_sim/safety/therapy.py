"""The therapy that will run if a command is approved, and what the pump line holds: the pure vocabulary the gate
judges every therapy command on (gate.therapy_findings), so that no command reaches therapy by a side door.

A command that starts, replaces, resumes or bridges the basal program, or adds periodic boluses, is one
PlannedTherapy: the basal program plus the periodic boluses that will run after it, at the catheter tip. The
line (PumpLine) says which concentrations will leave the tip from now on; after a bridge the reservoir's drug
is what the therapy runs on, so screening-only rules look at the reservoir's concentration.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from firmware_sim.safety import checks
from firmware_sim.safety.decision import Finding
from firmware_sim.safety.limits import DrugLimits


@dataclass(frozen=True)
class PumpLine:
    """What pump tubing, catheter and reservoir hold, as the drug will reach the patient."""

    conc_ahead_mcg_per_ml: tuple[float, ...]
    """Concentrations that will leave the catheter tip from now on, in delivery order: the parcel at the tip
    first (0.0: no drug has reached the tip, not primed), then each later fill's, the reservoir's last."""
    reservoir_volume_ul: float = math.inf

    @classmethod
    def settled(cls, conc_mcg_per_ml: float) -> PumpLine:
        """A primed line holding one concentration throughout (reservoir volume not considered)."""
        return cls((conc_mcg_per_ml,))

    @property
    def tip_conc_mcg_per_ml(self) -> float:
        return self.conc_ahead_mcg_per_ml[0]

    @property
    def reservoir_conc_mcg_per_ml(self) -> float:
        return self.conc_ahead_mcg_per_ml[-1]

    @property
    def is_settled(self) -> bool:
        """Everything ahead of the tip is the reservoir's drug: no bridge is needed."""
        return all(c == self.reservoir_conc_mcg_per_ml for c in self.conc_ahead_mcg_per_ml)

    @property
    def lowest_conc_mcg_per_ml(self) -> float:
        """The lowest drug concentration ahead: the highest volume rate a tip dose rate will need (0.0: no drug)."""
        return min((c for c in self.conc_ahead_mcg_per_ml if c > 0), default=0.0)


@dataclass(frozen=True)
class PlannedTherapy:
    """The basal program and the periodic boluses that will run if the command is approved (mcg at the tip)."""

    basal_daily_dose_mcg: float
    basal_peak_rate_mcg_per_h: float
    periodic_daily_dose_mcg: float = 0.0
    bridging: bool = False
    """The command starts with a bridge bolus (old drug pushed out at the rate that keeps the tip dose)."""

    @property
    def daily_dose_mcg(self) -> float:
        return self.basal_daily_dose_mcg + self.periodic_daily_dose_mcg


def line_findings(line: PumpLine, bridging: bool) -> list[Finding]:
    """Prerequisites on the line: primed, reservoir not empty, and a bridge exactly when drug other than the
    reservoir's is still ahead of the tip (SR-PRM-001, SR-RES-003, SR-BOL-005)."""
    tip_conc, reservoir_conc = line.tip_conc_mcg_per_ml, line.reservoir_conc_mcg_per_ml
    if tip_conc <= 0:
        return [Finding("SR-PRM-001", "catheter not primed: no drug at the tip")]
    findings = []
    if line.reservoir_volume_ul <= 0:
        findings.append(Finding("SR-RES-003", "reservoir empty: refill first"))
    if bridging and line.is_settled:
        findings.append(Finding("SR-BOL-005", "no concentration change to bridge"))
    if not bridging and not line.is_settled:
        if tip_conc != reservoir_conc:
            held = f"{tip_conc:g} mcg/mL"
        else:
            others = dict.fromkeys(c for c in line.conc_ahead_mcg_per_ml if c != reservoir_conc)
            held = f"{tip_conc:g} mcg/mL with {', '.join(f'{c:g}' for c in others)} mcg/mL between"
        findings.append(Finding("SR-BOL-005", f"tubing and catheter still hold {held} but the reservoir holds "
                                f"{reservoir_conc:g} mcg/mL: start with a bridge bolus"))
    return findings


def bolus_line_findings(line: PumpLine, screening_bolus: bool, limits: DrugLimits) -> list[Finding]:
    """A bolus outside a running program: a settled, primed line, and (unless it is a clinician's screening
    bolus) no screening-only concentration (SR-DOSE-005): PTM and periodic boluses are therapy."""
    findings = line_findings(line, bridging=False)
    if not findings and not screening_bolus:
        findings += checks.check_therapy_concentration(line.reservoir_conc_mcg_per_ml, limits)
    return findings


@dataclass(frozen=True)
class PeriodicStack:
    """The highest tip rate a periodic bolus reaches on top of the basal program over all its runs (built by
    firmware_sim/pump/stacking.py), not only within the gate's planning horizon."""

    bolus_rate_mcg_per_h: float
    basal_rate_mcg_per_h: float
    """Highest basal rate under a run (the basal peak when the runs drift through every time of day)."""
    run_s: float
    """Start of the run where it is reached (nan when not exact)."""
    exact: bool
    """True: every distinct run was judged; False: the runs drift through every time of day (basal peak taken)."""

    @property
    def rate_mcg_per_h(self) -> float:
        return self.bolus_rate_mcg_per_h + max(self.basal_rate_mcg_per_h, 0.0)


def periodic_stack_findings(stack: PeriodicStack | None, limits: DrugLimits) -> list[Finding]:
    """A periodic bolus stacked on the basal program stays within the maximum rate at every run it will make, not
    only those inside the gate's plan (SR-BOL-006)."""
    if stack is None or not checks.exceeds(stack.rate_mcg_per_h, limits.max_rate_mcg_per_h):
        return []
    where = (f"at its run at t={stack.run_s:.0f} s" if stack.exact else
             "at some run (its interval does not repeat within whole days, so its runs drift through every time "
             "of day)")
    return [Finding("SR-BOL-006", f"periodic bolus {stack.bolus_rate_mcg_per_h:.6g} mcg/h stacked on the basal "
                    f"{max(stack.basal_rate_mcg_per_h, 0.0):.6g} mcg/h {where} reaches {stack.rate_mcg_per_h:.6g} "
                    f"mcg/h, above the maximum rate {limits.max_rate_mcg_per_h:.6g} mcg/h")]
