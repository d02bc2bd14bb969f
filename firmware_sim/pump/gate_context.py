"""What the gate judges a firmware command on: the state rule, the line ahead, the titration reference, the PTM
presses, and the planned delivery of the next two windows (with periodic boluses stacked at every run when asked)."""
from __future__ import annotations

import math
from collections.abc import Sequence

from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.engine import DeliveryEngine
from firmware_sim.pump.programs import ActiveBolus, BasalProgram, PeriodicBolus
from firmware_sim.pump.stacking import periodic_stack
from firmware_sim.pump.states import PumpState
from firmware_sim.pump.therapy_control import THERAPY_STATES, TherapyControl
from firmware_sim.safety import gate
from firmware_sim.safety.checks import check_screening_interval, is_screening_only
from firmware_sim.safety.command_rules import periodic_first_run_findings, state_findings
from firmware_sim.safety.decision import Decision, Finding, decide
from firmware_sim.safety.exposure import EXPOSURE_PLAN_S, ExposureInputs
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.safety.therapy import PlannedTherapy, PumpLine, bolus_line_findings
from firmware_sim.safety.window import RatePiece, peak_rate_mcg_per_h
from firmware_sim.safety.window_limits import ReferenceSource, TherapyWindows, WindowReference, largest_window_mcg
from firmware_sim.units import S_PER_H, UL_PER_ML


class GateInputs:
    """Builds the firmware's GateContexts and keeps what the gate remembers between commands (titration reference,
    PTM settings and presses)."""

    def __init__(self, config: FirmwareConfig, limits: DrugLimits, engine: DeliveryEngine,
                 therapy: TherapyControl) -> None:
        self._config = config
        self._limits = limits
        self._engine = engine
        self._therapy = therapy
        self._window_s = limits.window_h * S_PER_H
        self.ptm: gate.PtmSettings | None = None
        self.ptm_presses: list[gate.PtmPress] = []
        self.reference_daily_mcg: float | None = None
        """Daily dose (basal plus periodic) of the last approved therapy: titration compares increases against it."""
        self.last_change_s: float | None = None
        """When the last dose increase (or the first program) was approved."""
        self._approved_daily: list[tuple[float, float]] = []
        """(t_s, daily dose) of each approved therapy over the last titration interval (and the one before it)."""
        self.last_screening_bolus_s: float | None = None
        """When the last screening bolus (a clinician's at a screening-only concentration) started."""

    def state_findings(self, trigger: str) -> list[Finding]:
        state = self._therapy.state
        return state_findings(trigger, self._therapy.allowed_triggers(), state.value, state is PumpState.BOLUS)

    def therapy_trigger(self) -> str:
        return "change_program" if self._therapy.state is PumpState.CONTINUOUS else "start_therapy"

    def line(self) -> PumpLine:
        engine = self._engine
        return PumpLine(engine.line_conc_ahead(), engine.reservoir.volume_ul)

    def bolus_line_findings(self, kind: str) -> list[Finding]:
        """Line prerequisites of a bolus (none while a bolus runs: the state rule refuses a second one)."""
        if self._therapy.state is PumpState.BOLUS:
            return []
        line = self.line()
        findings = bolus_line_findings(line, kind == "clinician", self._limits)
        if not findings and kind == "clinician":
            findings = check_screening_interval(line.reservoir_conc_mcg_per_ml, self.last_screening_bolus_s,
                                                self._engine.t_s, self._limits)
        return findings

    def remember_bolus(self, bolus: ActiveBolus) -> None:
        """An approved bolus: a screening bolus starts the screening interval (SR-BOL-007)."""
        if bolus.kind == "clinician" and is_screening_only(self.line().reservoir_conc_mcg_per_ml, self._limits):
            self.last_screening_bolus_s = bolus.start_s

    def planned_therapy(self, program: BasalProgram | None, bridging: bool) -> PlannedTherapy:
        """The therapy that will run if a program command is approved: the program and the kept periodic boluses."""
        periodic = self._therapy.periodic
        return PlannedTherapy(program.daily_dose_mcg if program is not None else 0.0,
                              program.peak_rate_mcg_per_h if program is not None else 0.0,
                              periodic.daily_dose_mcg if periodic is not None else 0.0, bridging=bridging)

    def titration(self) -> gate.TitrationContext:
        return gate.TitrationContext(self._config.indication, self.reference_daily_mcg, self.last_change_s,
                                     window_reference=self._window_reference(),
                                     pediatric=self._config.pediatric_patient)

    def remember_programming(self, daily_dose_mcg: float) -> None:
        """An approved therapy (basal plus periodic) becomes the titration reference; an increase starts the
        titration interval."""
        now_s = self._engine.t_s
        if self.reference_daily_mcg is None or daily_dose_mcg > self.reference_daily_mcg:
            self.last_change_s = now_s
        self.reference_daily_mcg = daily_dose_mcg
        self._approved_daily.append((now_s, daily_dose_mcg))
        since_s = now_s - self._limits.titration_min_interval_h * S_PER_H
        while len(self._approved_daily) > 1 and self._approved_daily[1][0] <= since_s:
            del self._approved_daily[0]  # keep the last one at or before since_s and all after it

    def _window_reference(self) -> WindowReference | None:
        """The window limits' reference: the largest window of the therapy as programmed over the day before the
        last one (what the patient was given, periodic runs as they fell: a periodic set up a month ahead adds
        nothing yet, one every 16 h puts two runs in some windows), ending before the first change of the programmed
        therapy within the titration interval (a re-timing 23 h after an increase, or 14 h after another re-timing,
        would take a cap on it), once the programmed history covers both days; before that the daily dose approved as
        of one titration interval ago. A titration interval longer than a window whose first change lies more than a
        window ago: the window just before that change."""
        approved_mcg = self._daily_a_titration_interval_ago()
        if approved_mcg is None:
            return None
        programmed, now_s, window_s = self._therapy.programmed, self._engine.t_s, self._window_s
        last_start_s = now_s - window_s
        since_s = now_s - self._limits.titration_min_interval_h * S_PER_H
        recent_s = [t_s for t_s, _, _ in programmed.changes if t_s > since_s]
        if recent_s:  # the day before the first change of the last interval (an increase or a re-timing)
            last_start_s = min(last_start_s, recent_s[0] - window_s)
        first_start_s = min(now_s - 2 * window_s, last_start_s)  # an interval longer than a window: the one before
        if not programmed.changes or programmed.changes[0][0] > first_start_s:
            return WindowReference(approved_mcg, ReferenceSource.APPROVED_AN_INTERVAL_AGO)
        given_once = programmed.pieces(first_start_s, now_s, overlapping_runs=False)
        return WindowReference(largest_window_mcg(given_once, first_start_s, last_start_s, window_s),
                               ReferenceSource.PROGRAMMED_WINDOW, (first_start_s, last_start_s))

    def _daily_a_titration_interval_ago(self) -> float | None:
        """The daily dose approved as of one titration interval ago (the first approved one if programming began
        since): the window limits' reference. The last approved one let an increase and a re-timing a minute later
        put +67 % in a window, and a decrease made a partial correction look like an increase."""
        since_s = self._engine.t_s - self._limits.titration_min_interval_h * S_PER_H
        earlier = [daily_mcg for t_s, daily_mcg in self._approved_daily if t_s <= since_s]
        return earlier[-1] if earlier else (self._approved_daily[0][1] if self._approved_daily else None)

    def remember_ptm_press(self, t_s: float, dose_mcg: float) -> None:
        """Keep the presses the PTM gate can still count (the last 24 h window, each with its own dose) and always
        the last one (lockout)."""
        since_s = t_s - self._window_s
        self.ptm_presses = [p for p in self.ptm_presses if p.t_s > since_s] + [gate.PtmPress(t_s, dose_mcg)]

    def _planned(self, basal: BasalProgram | None, bolus: ActiveBolus | None,
                 periodic: PeriodicBolus | None, span_s: float | None = None) -> tuple[RatePiece, ...]:
        """What reaches the tip from now on over span_s (default: the two windows the window check needs)."""
        start = self._engine.t_s
        end = start + (2 * self._window_s if span_s is None else span_s)
        pieces = list(basal.planned(start, end)) if basal is not None else []
        pieces += bolus.planned(start) if bolus is not None else []
        pieces += periodic.planned(start, end) if periodic is not None else []
        return tuple(pieces)

    def context(self, findings: Sequence[Finding], bolus: ActiveBolus | None, basal: BasalProgram | None = None,
                periodic: PeriodicBolus | None = None, with_periodic: bool = True,
                stack_periodic: bool = False) -> gate.GateContext:
        """stack_periodic: a therapy command, judged also on its periodic boluses at every run (stacking.py)."""
        therapy, now_s = self._therapy, self._engine.t_s
        if basal is None and therapy.state in THERAPY_STATES:
            basal = therapy.basal
        periodic = periodic if periodic is not None else (therapy.periodic if with_periodic else None)
        running_bolus = therapy.bolus if bolus is None else bolus
        line = self.line()
        history = self._engine.history(self._window_s)
        if findings:
            return gate.GateContext(now_s, history, (), 0.0, 0.0, 0.0, tuple(findings), line)
        planned = self._planned(basal, running_bolus, periodic)
        planned_peak_mcg_per_h = peak_rate_mcg_per_h(planned)
        peak_mcg_per_h = max(basal.peak_rate_mcg_per_h if basal is not None else 0.0, planned_peak_mcg_per_h)
        stack = periodic_stack(basal, periodic) if stack_periodic and periodic is not None else None
        if stack is not None:
            peak_mcg_per_h = max(peak_mcg_per_h, stack.rate_mcg_per_h)
        conc = line.lowest_conc_mcg_per_ml  # the bridge runs on every concentration ahead in turn
        peak_ul_per_h = peak_mcg_per_h / conc * UL_PER_ML if conc > 0 else (math.inf if peak_mcg_per_h > 0 else 0.0)
        return gate.GateContext(now_s, history, planned, line.tip_conc_mcg_per_ml,
                                self._config.max_actuator_rate_ul_per_h, peak_ul_per_h, (), line, stack,
                                self._exposure(basal, running_bolus, periodic), self._therapy_windows(basal, periodic),
                                planned_peak_mcg_per_h)

    def _therapy_windows(self, basal: BasalProgram | None, periodic: PeriodicBolus | None) -> TherapyWindows:
        """The therapy as programmed over the last window, then with the request (basal, periodic) and as it stands
        (kept through suspension and alarms), each over two windows from now or from the later periodic bolus's next
        run (a first run days ahead is judged with its second); a periodic run in progress is in both."""
        therapy, now_s, window_s = self._therapy, self._engine.t_s, self._window_s
        kept = therapy.periodic
        span_s = 2 * window_s + _until_later_run_s(now_s, periodic, kept)
        run = therapy.bolus if therapy.bolus is not None and therapy.bolus.kind == "periodic" else None
        return TherapyWindows(tuple(therapy.programmed.pieces(now_s - window_s, now_s)),
                              self._planned(basal, run, periodic, span_s),
                              self._planned(therapy.basal, run, kept, span_s), now_s, now_s + span_s)

    def _running_now(self, span_s: float | None = None) -> tuple[RatePiece, ...]:
        """What reaches the tip if the request is refused: suspended, in alarm or priming nothing; idle, the
        periodic runs go on."""
        therapy = self._therapy
        return self._planned(therapy.basal if therapy.state in THERAPY_STATES else None, therapy.bolus,
                             self._kept_periodic(), span_s)

    def _kept_periodic(self) -> PeriodicBolus | None:
        therapy = self._therapy
        return therapy.periodic if therapy.state in THERAPY_STATES or "start_bolus" in therapy.allowed_triggers() \
            else None

    def _exposure(self, basal: BasalProgram | None, bolus: ActiveBolus | None,
                  periodic: PeriodicBolus | None) -> ExposureInputs | None:
        """The predicted-exposure check's inputs: the history of the last two windows, the therapy if approved and
        the therapy running now, each over EXPOSURE_PLAN_S from now or from the later of the periodic boluses' next
        runs (a first run days ahead is judged on its steady pattern too)."""
        limits, now_s = self._config.exposure_limits, self._engine.t_s
        if limits is None:
            return None
        kept = self._kept_periodic()
        span_s = EXPOSURE_PLAN_S + _until_later_run_s(now_s, periodic, kept)
        return ExposureInputs(limits, self._engine.history(2 * self._window_s), self._running_now(span_s),
                              self._config.delivery_tolerance_fraction, self._planned(basal, bolus, periodic, span_s))

    def periodic_bolus(self, dose_mcg: float, duration_min: float, interval_h: float, first_t_s: float | None,
                       override_soft_limits: bool) -> tuple[Decision, PeriodicBolus | None]:
        """The gate's decision on periodic boluses, judged with the kept program (also while suspended: resume will
        run the two together), and the periodic bolus to run if approved."""
        now_s, limits = self._engine.t_s, self._limits
        findings = self.state_findings("configure_periodic_bolus")
        invalid = gate.periodic_bolus_findings(dose_mcg, duration_min, interval_h, limits)
        invalid += periodic_first_run_findings(first_t_s, now_s)
        if invalid:  # refused before a plan is built from it (a zero interval would never end)
            return decide("periodic_bolus", findings + invalid), None
        first_s = now_s + interval_h * S_PER_H if first_t_s is None else first_t_s
        periodic = (PeriodicBolus(dose_mcg, duration_min, interval_h, first_s, override_soft_limits) if not findings
                    else None)
        basal = self._therapy.basal
        base_mcg, base_peak_mcg_per_h = (basal.daily_dose_mcg, basal.peak_rate_mcg_per_h) if basal else (0.0, 0.0)
        ctx = self.context(findings, None, basal=basal, periodic=periodic, with_periodic=False, stack_periodic=True)
        decision = gate.gate_periodic_bolus(dose_mcg, duration_min, interval_h, base_mcg, ctx, limits,
                                            override_soft_limits, self.titration(), base_peak_mcg_per_h)
        return decision, periodic if decision.approved else None


def _until_later_run_s(now_s: float, *periodics: PeriodicBolus | None) -> float:
    """How far ahead the later next run of the periodic boluses lies (0 when none is ahead): plans are counted from
    there, so a first run days ahead is judged on its pattern too."""
    return max([p.next_s - now_s for p in periodics if p is not None] + [0.0])
