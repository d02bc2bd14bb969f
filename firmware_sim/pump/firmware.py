"""PumpFirmware: the facade the harness drives. Every command passes the safety gate first.

    fw = PumpFirmware(FirmwareConfig(), DrugLimits(), actuator, clock, event_sink=record.write)
    fw.refill(volume_ul=20000, conc_mcg_per_ml=500, aspirated_ul=0)
    fw.prime(); fw.run_until_s(3600)
    fw.start_continuous(rate_mcg_per_day=300)

Each command returns the gate's Decision; a rejected command changes nothing but the log.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable

from firmware_sim.clock import Clock
from firmware_sim.event_log import Event, EventKind, EventSink
from firmware_sim.ports import Actuator
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.pump.alarms import AlarmName
from firmware_sim.pump.profile_builder import build_delivery_profile
from firmware_sim.pump.programs import (ActiveBolus, BasalProgram, ContinuousProgram, FlexSchedule, FlexStep,
                                        PeriodicBolus)
from firmware_sim.pump.gate_context import GateContextBuilder
from firmware_sim.safety import checks, gate
from firmware_sim.safety.decision import Decision, Finding, decide
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.safety.therapy import PlannedTherapy
from firmware_sim.units import S_PER_H, S_PER_MIN

__all__ = ["PumpFirmware", "FlexSchedule", "FlexStep"]


class PumpFirmware(GateContextBuilder):
    def __init__(self, config: FirmwareConfig, limits: DrugLimits, actuator: Actuator, clock: Clock,
                 event_sink: EventSink | None = None) -> None:
        super().__init__(config, limits, actuator, clock, event_sink)
        self._ptm: gate.PtmSettings | None = None
        self._ptm_times: list[float] = []
        self._reference_daily_mcg: float | None = None
        """Daily dose (basal plus periodic) of the last approved therapy: titration compares increases against it."""
        self._last_change_s: float | None = None
        """When the last dose increase (or the first program) was approved."""

    # --- records ---
    @property
    def events(self) -> tuple[Event, ...]:
        return self._log.events

    @property
    def event_count(self) -> int:
        """len(events), without building the status events kept in compact form."""
        return len(self._log)

    @property
    def basal_program(self) -> BasalProgram | None:
        """The therapy program the clinician set: kept through alarms and suspension, None after a stop."""
        return self._basal

    def delivery_profile(self) -> DeliveryProfile:
        """mcg at the catheter tip, rebuilt from the log (actuator-reported volume, plug-flow dead volume)."""
        return build_delivery_profile(self._log.events, self._config.dead_volume_ul, self._engine.t_s)

    # --- commands ---
    def refill(self, volume_ul: float, conc_mcg_per_ml: float, aspirated_ul: float,
               override_mismatch: bool = False) -> Decision:
        """Aspirate the residual (aspirated_ul, measured by the clinician) and fill volume_ul at conc_mcg_per_ml.

        A residual that disagrees with the firmware's estimate beyond refill_mismatch_tolerance_ul is
        rejected unless override_mismatch is set (recorded).
        """
        self._sync()
        expected_ul = max(self._engine.reservoir.volume_ul, 0.0)
        decision = gate.gate_refill(volume_ul, conc_mcg_per_ml, aspirated_ul, expected_ul,
                                    self._config.reservoir_capacity_ul, self._config.refill_mismatch_tolerance_ul,
                                    self._state_findings("refill"), self._limits, override_mismatch)
        if self._record(decision):
            engine = self._engine
            previous_conc = engine.reservoir.conc_mcg_per_ml
            replaced_ul = engine.reservoir.refill(volume_ul, conc_mcg_per_ml)
            engine.track.fill(engine.q_ul, conc_mcg_per_ml)
            self._log.append(self.now_s, EventKind.REFILL, volume_ul=volume_ul, conc_mcg_per_ml=conc_mcg_per_ml,
                             aspirated_ul=aspirated_ul, replaced_estimate_ul=replaced_ul, q_ul=engine.q_ul,
                             previous_conc_mcg_per_ml=previous_conc)
            self._clear_alarms([AlarmName.LOW_RESERVOIR])
            self._process_due()
        return decision

    def prime(self) -> Decision:
        """Fill pump tubing and catheter at the priming rate; nothing reaches the patient until the tip is reached."""
        self._sync()
        findings = self._state_findings("prime")
        engine = self._engine
        if not findings:
            if engine.reservoir.conc_mcg_per_ml <= 0:
                findings.append(Finding("SR-PRM-001", "reservoir not filled: refill before priming"))
            elif engine.tip_conc_now() > 0:
                findings.append(Finding("SR-PRM-001", "catheter already primed: a second priming bolus would push "
                                        "drug into the patient at the priming rate"))
            elif engine.reservoir.volume_ul < self._config.dead_volume_ul:
                findings.append(Finding("SR-PRM-001", f"reservoir {engine.reservoir.volume_ul:g} uL holds less than "
                                        f"the priming volume {self._config.dead_volume_ul:g} uL"))
        if not findings:
            findings = gate.checks.check_actuator_rate(self._config.priming_rate_ul_per_h,
                                                       self._config.max_actuator_rate_ul_per_h)
        decision = gate.gate_simple("prime", findings)
        if self._record(decision, priming_volume_ul=self._config.dead_volume_ul):
            self._line_mark = (engine.q_ul, 0.0)
            self._fire("prime")
        return decision

    def start_continuous(self, rate_mcg_per_day: float, override_soft_limits: bool = False) -> Decision:
        """Simple continuous mode (from stopped or suspended; in continuous it replaces the program)."""
        return self._program("start_continuous", self._therapy_trigger(),
                             lambda: ContinuousProgram(rate_mcg_per_day), override_soft_limits)

    def start_flex(self, schedule: FlexSchedule, override_soft_limits: bool = False) -> Decision:
        """Flex dosing: a daily schedule of rate steps, in the pump clock's time of day. The schedule is placed on
        the pump's clock: its midnight_s is replaced by FirmwareConfig.midnight_s (from start_time_of_day_h)."""
        return self._program("start_flex", self._therapy_trigger(),
                             lambda: dataclasses.replace(schedule, midnight_s=self._config.midnight_s),
                             override_soft_limits)

    def change_rate(self, rate_mcg_per_day: float, override_soft_limits: bool = False) -> Decision:
        """Replace the running program by simple continuous at a new rate (titration rules apply)."""
        return self._program("change_rate", "change_program", lambda: ContinuousProgram(rate_mcg_per_day),
                             override_soft_limits)

    def resume(self) -> Decision:
        """Continue the kept program; with periodic boluses alone, back to idle, where they run."""
        return self._program("resume", "resume", lambda: self._basal, False)

    def bridge_bolus(self, rate_mcg_per_day: float | None = None, override_soft_limits: bool = False) -> Decision:
        """After a concentration change, push the old drug out of tubing and catheter at the rate that keeps the
        tip dose of the program, then continue at the new concentration. From stopped, give the program rate."""
        program = (lambda: ContinuousProgram(rate_mcg_per_day)) if rate_mcg_per_day is not None else (
            lambda: self._basal)
        return self._program("bridge_bolus", "start_bridge", program, override_soft_limits)

    def clinician_bolus(self, dose_mcg: float, duration_min: float) -> Decision:
        return self._bolus_command("clinician", dose_mcg, duration_min)

    def press_ptm(self) -> Decision:
        """Patient-activated bolus with the configured PTM settings (lockout, count and dose per 24 h)."""
        self._sync()
        findings = self._state_findings("start_bolus") + self._bolus_line_findings("ptm")
        settings, bolus = self._ptm, None
        if not findings and settings is not None:
            bolus = ActiveBolus("ptm", settings.dose_mcg, self.now_s, self.now_s + settings.duration_min * S_PER_MIN)
        decision = gate.gate_ptm_press(settings, self._ptm_times, self._context(findings, bolus), self._limits)
        if self._record(decision) and bolus is not None:
            self._remember_ptm_press(self.now_s)
            self._begin_bolus(bolus)
        return decision

    def configure_ptm(self, dose_mcg: float, duration_min: float, lockout_min: float,
                      max_count_per_24h: int) -> Decision:
        self._sync()
        settings = gate.PtmSettings(dose_mcg, duration_min, lockout_min, max_count_per_24h)
        decision = gate.gate_ptm_settings(settings, self._state_findings("configure_ptm"), self._limits)
        if self._record(decision):
            self._ptm = settings
        return decision

    def setup_periodic_bolus(self, dose_mcg: float, duration_min: float, interval_h: float,
                             first_t_s: float | None = None, override_soft_limits: bool = False) -> Decision:
        """Repeat a bolus every interval_h from first_t_s (default: one interval from now); each run is gated."""
        self._sync()
        findings = self._state_findings("configure_periodic_bolus")
        invalid = gate.periodic_bolus_findings(dose_mcg, duration_min, interval_h, self._limits)
        if first_t_s is not None:
            invalid += checks.check_number("first_t_s", first_t_s, -math.inf)
            if not invalid and first_t_s < self.now_s:
                invalid.append(Finding("SR-BOL-004", f"first periodic bolus at t={first_t_s} s is in the past"))
        if invalid:  # refused before a plan is built from it (a zero interval would never end)
            decision = decide("periodic_bolus", findings + invalid)
            self._record(decision)
            return decision
        first_s = self.now_s + interval_h * S_PER_H if first_t_s is None else first_t_s
        periodic = PeriodicBolus(dose_mcg, duration_min, interval_h, first_s) if not findings else None
        basal = self._basal
        base_mcg, base_peak_mcg_per_h = (basal.daily_dose_mcg, basal.peak_rate_mcg_per_h) if basal else (0.0, 0.0)
        # judged with the kept program also while suspended: resume will run the two together
        ctx = self._context(findings, None, basal=basal, periodic=periodic, with_periodic=False, stack_periodic=True)
        decision = gate.gate_periodic_bolus(dose_mcg, duration_min, interval_h, base_mcg, ctx, self._limits,
                                            override_soft_limits, self._titration(), base_peak_mcg_per_h)
        if self._record(decision):
            assert periodic is not None
            self._remember_programming(base_mcg + periodic.daily_dose_mcg)
            self._periodic = periodic
        return decision

    def suspend(self) -> Decision:
        return self._simple("suspend", abort_bolus=True)

    def stop(self) -> Decision:
        decision = self._simple("stop", abort_bolus=True)
        if decision.approved:
            self._basal, self._periodic = None, None
        return decision

    def clear_alarm(self) -> Decision:
        """Explicit clear of latched alarms; the pump returns to suspended (program or periodic boluses kept, nothing
        restarts before resume) or stopped."""
        self._sync()
        findings = self._state_findings("clear_alarm")
        if not findings and AlarmName.EMPTY_RESERVOIR in self._alarms and self.reservoir_volume_ul <= 0:
            findings.append(Finding("SR-RES-003", "reservoir still empty: refill before clearing the alarm"))
        decision = gate.gate_simple("clear_alarm", findings)
        if self._record(decision):
            self._clear_alarms(list(self._alarms))
            self._engine.restart_window()
            self._fire("clear_alarm")
        return decision

    # --- helpers ---
    def _program(self, request: str, trigger: str, make_program: Callable[[], BasalProgram | None],
                 override_soft_limits: bool) -> Decision:
        self._sync()
        findings = self._state_findings(trigger)
        program = None
        if not findings:
            try:
                program = make_program()
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                findings.append(Finding("SR-DOSE-007", f"invalid program: {exc}"))
            periodic_only = program is None and trigger == "resume" and self._periodic is not None
            if program is None and not periodic_only and not findings:
                findings.append(Finding("SR-SUP-003", f"{request}: no therapy program to continue"))
        therapy = None
        if not findings:  # the therapy that will run: program, periodic boluses, line
            periodic_mcg = self._periodic.daily_dose_mcg if self._periodic is not None else 0.0
            therapy = PlannedTherapy(program.daily_dose_mcg if program is not None else 0.0,
                                     program.peak_rate_mcg_per_h if program is not None else 0.0, periodic_mcg,
                                     bridging=trigger == "start_bridge")
        if therapy is None:
            decision = decide(request, findings)
        else:
            ctx = self._context([], None, basal=program, stack_periodic=True)
            decision = gate.gate_planned_therapy(request, therapy, ctx, self._titration(), self._limits,
                                                 override_soft_limits)
        if self._record(decision):
            assert therapy is not None
            self._remember_programming(therapy.daily_dose_mcg)
            self._basal = program
            if trigger == "start_bridge":
                self._start_bridge()
            self._fire(trigger)
        return decision

    def _start_bridge(self) -> None:
        """From here the bridge follows each change of the tip concentration ahead (FirmwareRuntime._line_mark)
        until the reservoir's drug reaches the tip."""
        engine = self._engine
        self._line_mark = (engine.q_ul, engine.tip_conc_now())
        end_ul, step = engine.q_ul, engine.track.next_conc_step(engine.q_ul)
        while step is not None:
            end_ul, step = step[0], engine.track.next_conc_step(step[0])
        self._log.append(self.now_s, EventKind.DOSE, event="bridge_start", bridge_volume_ul=end_ul - engine.q_ul,
                         old_conc_mcg_per_ml=engine.tip_conc_now(),
                         new_conc_mcg_per_ml=engine.track.reservoir_conc_after(engine.q_ul))

    def _bolus_command(self, kind: str, dose_mcg: float, duration_min: float) -> Decision:
        self._sync()
        findings = self._state_findings("start_bolus") + self._bolus_line_findings(kind)
        bolus = None
        if not findings and not gate.checks.check_number("dose_mcg", dose_mcg) and not gate.checks.check_number(
                "duration_min", duration_min):
            bolus = ActiveBolus(kind, dose_mcg, self.now_s, self.now_s + duration_min * S_PER_MIN)
        ctx = self._context(findings, bolus)
        decision = gate.gate_bolus(f"{kind}_bolus", dose_mcg, duration_min, ctx, self._limits)
        if self._record(decision):
            assert bolus is not None
            self._begin_bolus(bolus)
        return decision

    def _begin_bolus(self, bolus: ActiveBolus) -> None:
        self._bolus = bolus
        self._log.append(self.now_s, EventKind.DOSE, event="bolus_start", bolus_kind=bolus.kind,
                         dose_mcg=bolus.dose_mcg, duration_min=(bolus.end_s - bolus.start_s) / S_PER_MIN)
        self._fire("start_bolus")

    def _run_periodic_bolus(self, periodic: PeriodicBolus) -> None:
        self._bolus_command("periodic", periodic.dose_mcg, periodic.duration_min)

    def _simple(self, trigger: str, abort_bolus: bool) -> Decision:
        self._sync()
        decision = gate.gate_simple(trigger, self._state_findings(trigger))
        if self._record(decision):
            if abort_bolus and self._bolus is not None:
                self._log.append(self.now_s, EventKind.DOSE, event="bolus_aborted", bolus_kind=self._bolus.kind,
                                 dose_mcg=self._bolus.dose_mcg)
                self._bolus = None
            self._fire(trigger)
        return decision

