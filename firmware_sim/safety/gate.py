"""The gate: one function per request kind, composing the single-limit checks into a Decision.

The firmware builds the context (delivery history so far and the plan that would follow approval);
the gate only does arithmetic on it. Nothing here reads a clock or does I/O.
"""
from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from collections.abc import Sequence

from firmware_sim.safety import checks
from firmware_sim.safety.decision import Decision, Finding, decide
from firmware_sim.safety.exposure import ExposureInputs, exposure_findings
from firmware_sim.safety.limits import DrugLimits, Indication
from firmware_sim.safety.therapy import PeriodicStack, PlannedTherapy, PumpLine, line_findings, periodic_stack_findings
from firmware_sim.safety.window import DoseHistory, RatePiece
from firmware_sim.safety.window_limits import ReferenceSource, TherapyWindows, WindowReference, window_limit_findings
from firmware_sim.safety.window import peak_rate_mcg_per_h as peak_rate_mcg_per_h_of
from firmware_sim.units import H_PER_DAY, MIN_PER_H, S_PER_H, S_PER_MIN


@dataclass(frozen=True)
class GateContext:
    now_s: float
    history: DoseHistory
    planned_if_approved: tuple[RatePiece, ...]
    """Everything planned at the tip from now on if the request is approved (program, boluses, request)."""
    conc_mcg_per_ml: float
    max_actuator_rate_ul_per_h: float
    peak_actuator_rate_ul_per_h: float
    """Highest rate the actuator would be commanded if approved."""
    state_findings: tuple[Finding, ...] = ()
    """Findings the firmware adds (command not valid in this state, prerequisites missing)."""
    line: PumpLine | None = None
    """What the line holds; None: settled at conc_mcg_per_ml, reservoir not considered (the limit checks alone)."""
    periodic_stack: PeriodicStack | None = None
    """A therapy command with periodic boluses: their highest rate on the basal program over all their runs."""
    exposure: ExposureInputs | None = None
    """What the predicted-exposure check (SR-DOSE-008) needs besides the plan; None: not checked."""
    therapy_windows: TherapyWindows | None = None
    """The therapy as programmed, with and without the request (window_limits); None: the window forms of the soft
    maximum and the titration cap are not judged."""
    known_planned_peak_rate_mcg_per_h: InitVar[float | None] = None
    """planned_peak_rate_mcg_per_h when the caller has computed it (the firmware, for the actuator's peak: a gate
    call then sorts the plan's edges once); None: computed here."""
    planned_peak_rate_mcg_per_h: float = field(init=False)
    """Highest summed rate of planned_if_approved (window.peak_rate_mcg_per_h). Not an init argument, so a copy
    with another plan (dataclasses.replace) has that plan's peak."""

    def __post_init__(self, known_planned_peak_rate_mcg_per_h: float | None) -> None:
        peak_mcg_per_h = known_planned_peak_rate_mcg_per_h
        if peak_mcg_per_h is None:
            peak_mcg_per_h = peak_rate_mcg_per_h_of(self.planned_if_approved)
        object.__setattr__(self, "planned_peak_rate_mcg_per_h", peak_mcg_per_h)

    @property
    def pump_line(self) -> PumpLine:
        return self.line if self.line is not None else PumpLine.settled(self.conc_mcg_per_ml)


@dataclass(frozen=True)
class TitrationContext:
    indication: Indication
    reference_daily_dose_mcg: float | None = None
    """Daily dose (basal plus periodic) of the last approved therapy; None: nothing programmed yet."""
    last_change_s: float | None = None
    pediatric: bool = False
    """The patient is a child: the drug library's pediatric cap applies too."""
    window_reference: WindowReference | None = None
    """The window limits' reference: the largest programmed window of the day before, or the daily dose approved as
    of one titration interval ago (GateInputs._window_reference). None: the last approved one."""


MAX_PERIODIC_INTERVAL_H = 8760.0
"""Longest periodic-bolus interval, h: its runs stay within the firmware's time resolution and plan horizon."""


@dataclass(frozen=True)
class PtmSettings:
    dose_mcg: float
    duration_min: float
    lockout_min: float
    max_count_per_24h: int


@dataclass(frozen=True)
class PtmPress:
    """An approved PTM press: when, and the dose it gave (the settings of that moment: they may change later)."""
    t_s: float
    dose_mcg: float


def _common(ctx: GateContext, limits: DrugLimits, program_peak_rate_mcg_per_h: float = 0.0) -> list[Finding]:
    """Checks every delivering request shares: the drug rate at the peak of everything planned if approved
    (not only at its start: a bolus may overlap a later flex step), periodic boluses on the basal program at every
    run (beyond the plan), the actuator rate, the 24 h window."""
    peak_rate_mcg_per_h = max(program_peak_rate_mcg_per_h, ctx.planned_peak_rate_mcg_per_h)
    findings = checks.check_drug_rate(peak_rate_mcg_per_h, limits)
    findings += periodic_stack_findings(ctx.periodic_stack, limits)
    findings += checks.check_actuator_rate(ctx.peak_actuator_rate_ul_per_h, ctx.max_actuator_rate_ul_per_h)
    findings += checks.check_window(ctx.history, ctx.planned_if_approved, limits)
    return findings


def with_exposure(findings: list[Finding], ctx: GateContext) -> list[Finding]:
    """The findings plus those of the predicted-exposure check (SR-DOSE-008), which runs only when nothing hard
    refuses the request already: it is the costly check, and it could not change the decision."""
    if ctx.exposure is None or any(not f.soft for f in findings):
        return findings
    return findings + exposure_findings(ctx.exposure)


def therapy_findings(therapy: PlannedTherapy, ctx: GateContext, titration: TitrationContext,
                     limits: DrugLimits) -> list[Finding]:
    """Every finding that can refuse the therapy that will run (start, replace, resume or bridge a program, add
    periodic boluses): state, line (priming, empty reservoir, bridge), screening-only concentration of the drug
    the therapy runs on (the reservoir's), daily dose (basal plus periodic) against the hard and soft limits,
    titration, the soft maximum and titration cap on the 24 h window, drug and actuator rate, the hard maximum on the
    24 h window. The one judge of all therapy commands."""
    findings = list(ctx.state_findings) + checks.check_number("daily_dose_mcg", therapy.daily_dose_mcg)
    if findings:
        return findings
    line = ctx.pump_line
    findings = line_findings(line, therapy.bridging)
    if findings:
        return findings
    daily_dose_mcg = therapy.daily_dose_mcg
    findings += checks.check_therapy_concentration(line.reservoir_conc_mcg_per_ml, limits)
    findings += checks.check_program_daily_dose(daily_dose_mcg, limits, titration.indication)
    findings += checks.check_titration(daily_dose_mcg, titration.reference_daily_dose_mcg, titration.last_change_s,
                                       ctx.now_s, titration.indication, limits, titration.pediatric)
    if ctx.therapy_windows is not None:
        reference = titration.window_reference
        if reference is None and titration.reference_daily_dose_mcg is not None:
            reference = WindowReference(titration.reference_daily_dose_mcg, ReferenceSource.LAST_APPROVED)
        findings += window_limit_findings(ctx.therapy_windows, limits, titration.indication, reference,
                                          titration.pediatric, {f.requirement_id for f in findings})
    findings += _common(ctx, limits, therapy.basal_peak_rate_mcg_per_h)
    return with_exposure(findings, ctx)


def gate_planned_therapy(request: str, therapy: PlannedTherapy, ctx: GateContext, titration: TitrationContext,
                         limits: DrugLimits, override_soft_limits: bool = False) -> Decision:
    return decide(request, therapy_findings(therapy, ctx, titration, limits), override_soft_limits,
                  {"daily_dose_mcg": therapy.daily_dose_mcg})


def gate_therapy(request: str, daily_dose_mcg: float, peak_rate_mcg_per_h: float, ctx: GateContext,
                 titration: TitrationContext, limits: DrugLimits, override_soft_limits: bool = False) -> Decision:
    """Continuous, flex schedule or rate change without periodic boluses (gate_planned_therapy)."""
    return gate_planned_therapy(request, PlannedTherapy(daily_dose_mcg, peak_rate_mcg_per_h), ctx, titration, limits,
                                override_soft_limits)


def gate_bolus(request: str, dose_mcg: float, duration_min: float, ctx: GateContext, limits: DrugLimits,
               override_soft_limits: bool = False) -> Decision:
    """override_soft_limits: a periodic bolus's run, confirmed at set-up; a single bolus never overrides."""
    findings = list(ctx.state_findings) + checks.check_bolus(dose_mcg, duration_min, limits)
    if not findings:
        findings = with_exposure(findings + _common(ctx, limits), ctx)
    return decide(request, findings, override_soft_limits, {"dose_mcg": dose_mcg, "duration_min": duration_min})


def periodic_bolus_findings(
    dose_mcg: float, duration_min: float, interval_h: float, limits: DrugLimits
) -> list[Finding]:
    """The periodic bolus on its own: valid numbers, bolus limits, and each run ends before the next starts."""
    findings = checks.check_bolus(dose_mcg, duration_min, limits) + checks.check_number("interval_h", interval_h)
    if not findings and duration_min / MIN_PER_H >= interval_h:
        findings.append(Finding("SR-BOL-004", f"periodic bolus duration {duration_min:g} min does not fit in the "
                                f"interval {interval_h:g} h"))
    if not findings and interval_h > MAX_PERIODIC_INTERVAL_H:
        findings.append(Finding("SR-BOL-004", f"periodic bolus interval {interval_h:g} h is longer than "
                                f"{MAX_PERIODIC_INTERVAL_H:g} h (a year): schedule a single bolus instead"))
    return findings


def gate_periodic_bolus(dose_mcg: float, duration_min: float, interval_h: float, base_daily_dose_mcg: float,
                        ctx: GateContext, limits: DrugLimits, override_soft_limits: bool = False,
                        titration: TitrationContext | None = None, base_peak_rate_mcg_per_h: float = 0.0) -> Decision:
    """The periodic bolus on its own, then the therapy it makes with the basal program (base_daily_dose_mcg),
    judged as any program (therapy_findings). titration None: nothing was programmed before."""
    findings = list(ctx.state_findings) + periodic_bolus_findings(dose_mcg, duration_min, interval_h, limits)
    if not findings:
        therapy = PlannedTherapy(base_daily_dose_mcg, base_peak_rate_mcg_per_h, dose_mcg * H_PER_DAY / interval_h)
        findings += therapy_findings(therapy, ctx, titration or TitrationContext(Indication.SPINAL), limits)
    return decide("periodic_bolus", findings, override_soft_limits, {"dose_mcg": dose_mcg, "interval_h": interval_h})


def gate_ptm_settings(settings: PtmSettings, state_findings: Sequence[Finding], limits: DrugLimits) -> Decision:
    findings = list(state_findings) + checks.check_bolus(settings.dose_mcg, settings.duration_min, limits)
    if not findings:  # the bolus alone must not exceed the drug rate (each press is also checked with the basal)
        findings += checks.check_drug_rate(settings.dose_mcg / settings.duration_min * MIN_PER_H, limits)
    findings += checks.check_number("lockout_min", settings.lockout_min, 0.0, allow_equal=True)
    if settings.lockout_min < limits.ptm_min_lockout_min:
        findings.append(Finding("SR-PTM-004", f"PTM lockout {settings.lockout_min:g} min is shorter than the library "
                                f"minimum {limits.ptm_min_lockout_min:g} min"))
    count = settings.max_count_per_24h
    if isinstance(count, bool) or not isinstance(count, int):
        findings.append(Finding("SR-DOSE-007", f"PTM max_count_per_24h must be a whole number, got {count!r}"))
    else:
        if not 1 <= count <= limits.ptm_max_count_per_24h:
            findings.append(Finding("SR-PTM-004", f"PTM maximum {count} per 24 h is outside 1.."
                                    f"{limits.ptm_max_count_per_24h}"))
        if checks.exceeds(settings.dose_mcg * count, limits.ptm_max_dose_per_24h_mcg):
            findings.append(Finding("SR-PTM-004", f"PTM {count} x {settings.dose_mcg:g} mcg exceeds the library PTM "
                                    f"maximum {limits.ptm_max_dose_per_24h_mcg:g} mcg per 24 h"))
    return decide("configure_ptm", findings, False, {"dose_mcg": settings.dose_mcg,
                                                     "lockout_min": settings.lockout_min})


def gate_ptm_press(settings: PtmSettings | None, presses: Sequence[PtmPress], ctx: GateContext,
                   limits: DrugLimits) -> Decision:
    """presses: the approved presses of the last window at least, in time order, each with the dose it gave."""
    findings = list(ctx.state_findings)
    if settings is None:
        findings.append(Finding("SR-PTM-004", "no PTM bolus is configured"))
        return decide("ptm_bolus", findings)
    window_s = limits.window_h * S_PER_H
    if presses:
        since_s = ctx.now_s - presses[-1].t_s
        since_min = since_s / S_PER_MIN
        if checks.shorter_than(since_s, settings.lockout_min * S_PER_MIN):
            findings.append(Finding("SR-PTM-001", f"PTM bolus {since_min:.1f} min after the last one, inside the "
                                    f"lockout of {settings.lockout_min:g} min"))
    since_s = ctx.now_s - window_s
    recent = [p for p in presses if p.t_s > since_s]
    if len(recent) + 1 > settings.max_count_per_24h:
        findings.append(Finding("SR-PTM-002", f"PTM bolus would be number {len(recent) + 1} in {limits.window_h:g} h; "
                                f"maximum {settings.max_count_per_24h}"))
    earlier_mcg = sum(p.dose_mcg for p in recent)
    if checks.exceeds(earlier_mcg + settings.dose_mcg, limits.ptm_max_dose_per_24h_mcg):
        findings.append(Finding("SR-PTM-003", f"PTM dose in {limits.window_h:g} h would reach "
                                f"{earlier_mcg + settings.dose_mcg:g} mcg ({len(recent)} earlier press(es) "
                                f"{earlier_mcg:g} mcg, this one {settings.dose_mcg:g} mcg); maximum "
                                f"{limits.ptm_max_dose_per_24h_mcg:g} mcg"))
    if not findings:
        findings += checks.check_bolus(settings.dose_mcg, settings.duration_min, limits)
        findings = with_exposure(findings + _common(ctx, limits), ctx)
    return decide("ptm_bolus", findings, False, {"dose_mcg": settings.dose_mcg, "ptm_count_in_window": len(recent)})


def gate_refill(volume_ul: float, conc_mcg_per_ml: float, aspirated_ul: float, expected_residual_ul: float,
                capacity_ul: float, mismatch_tolerance_ul: float, state_findings: Sequence[Finding],
                limits: DrugLimits, override_mismatch: bool = False) -> Decision:
    """Refill: library concentration, volume within capacity, aspirated residual matching the estimate."""
    findings = list(state_findings) + checks.check_number("volume_ul", volume_ul)
    findings += checks.check_number("aspirated_ul", aspirated_ul, 0.0, allow_equal=True)
    findings += checks.check_number("conc_mcg_per_ml", conc_mcg_per_ml)
    if not findings:
        findings += checks.check_concentration(conc_mcg_per_ml, limits)
        if checks.exceeds(volume_ul, capacity_ul):
            findings.append(Finding("SR-RES-004", f"refill volume {volume_ul:g} uL exceeds the reservoir capacity "
                                    f"{capacity_ul:g} uL"))
        mismatch_ul = aspirated_ul - expected_residual_ul
        if abs(mismatch_ul) > mismatch_tolerance_ul:
            meaning = ("less than expected: possible over-infusion or a missed previous fill (pocket fill)"
                       if mismatch_ul < 0 else "more than expected: possible under-infusion (stall, occlusion)")
            findings.append(Finding("SR-RES-005", f"aspirated {aspirated_ul:g} uL but the reservoir estimate is "
                                    f"{expected_residual_ul:.6g} uL ({mismatch_ul:+.6g} uL, tolerance "
                                    f"{mismatch_tolerance_ul:g} uL): {meaning}", soft=True))
    return decide("refill", findings, override_mismatch, {"volume_ul": volume_ul, "conc_mcg_per_ml": conc_mcg_per_ml,
                                                          "aspirated_ul": aspirated_ul,
                                                          "expected_residual_ul": expected_residual_ul})


def gate_simple(request: str, state_findings: Sequence[Finding]) -> Decision:
    """Commands without dose arithmetic (prime, stop, suspend, resume, clear alarm): state rules only."""
    return decide(request, state_findings)
