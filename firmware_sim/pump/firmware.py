"""PumpFirmware: the command facade the harness drives. Every command passes the safety gate first.

    fw = PumpFirmware(FirmwareConfig(), DrugLimits(), actuator, clock, event_sink=record.write)
    fw.refill(volume_ul=20000, conc_mcg_per_ml=500, aspirated_ul=0); fw.prime(); fw.run_until_s(3600)

Each command returns the gate's Decision; a rejected command changes nothing but the log. Parts, one job each:
DeliveryEngine (bookkeeping, the only code that talks to the actuator), AlarmSet (latching, priorities, clearing),
TherapyControl (state machine, programs, commanded rate), Supervisor (detection), Scheduler (event times, run loop),
GateInputs (what the gate judges).
"""
from __future__ import annotations

import dataclasses
from typing import Any
from collections.abc import Callable

from firmware_sim.clock import Clock
from firmware_sim.event_log import Event, EventKind, EventLog, EventSink
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.ports import Actuator
from firmware_sim.pump.alarms import ActiveAlarm, AlarmName, AlarmSet
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.engine import DeliveryEngine
from firmware_sim.pump.gate_context import GateInputs
from firmware_sim.pump.profile_builder import build_delivery_profile
from firmware_sim.pump.programmed_history import read_span_s
from firmware_sim.pump.programs import (ActiveBolus, BasalProgram, ContinuousProgram, FlexSchedule, FlexStep,
                                        PeriodicBolus)
from firmware_sim.pump.scheduler import Scheduler
from firmware_sim.pump.states import PumpState
from firmware_sim.pump.supervision import SupervisionThresholds, Supervisor
from firmware_sim.pump.therapy_control import TherapyControl
from firmware_sim.safety import checks, command_rules, gate
from firmware_sim.safety.decision import Decision, decide
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.safety.therapy import PlannedTherapy
from firmware_sim.units import S_PER_H, S_PER_MIN

__all__ = ["FlexSchedule", "FlexStep", "PumpFirmware"]


class PumpFirmware:
    def __init__(self, config: FirmwareConfig, limits: DrugLimits, actuator: Actuator, clock: Clock,
                 event_sink: EventSink | None = None) -> None:
        self.config = config
        self._limits = limits
        self._log = EventLog(event_sink)
        self.engine = DeliveryEngine(config, actuator, clock, self._log, 2 * limits.window_h * S_PER_H)
        self.alarms = AlarmSet(self._log, lambda: self.engine.t_s)
        self.therapy = TherapyControl(config, self.engine, self._log, self.alarms, read_span_s(limits))
        self.alarms.on_high = self.therapy.halt
        self.supervisor = Supervisor(SupervisionThresholds.of(config, limits), self.engine, self.alarms)
        self.scheduler = Scheduler(config, clock, self.engine, self.therapy, self.alarms, self.supervisor,
                                   self._run_periodic_bolus)
        self.gate_inputs = GateInputs(config, limits, self.engine, self.therapy)

    # --- read-only views ---
    @property
    def state(self) -> PumpState:
        return self.therapy.state

    @property
    def now_s(self) -> float:
        return self.engine.t_s

    @property
    def active_alarms(self) -> tuple[ActiveAlarm, ...]:
        return self.alarms.active

    @property
    def reservoir_volume_ul(self) -> float:
        return self.engine.reservoir.volume_ul

    @property
    def reservoir_conc_mcg_per_ml(self) -> float:
        return self.engine.reservoir.conc_mcg_per_ml

    @property
    def commanded_volume_ul(self) -> float:
        return self.engine.q_ul

    @property
    def actuator_reported_volume_ul(self) -> float:
        """Actuator-reported volume since the firmware first talked to it (as of the last status read)."""
        return self.engine.reported_ul

    @property
    def actuator_rate_ul_per_h(self) -> float:
        return self.engine.rate_ul_per_h

    @property
    def reservoir_balance_error_ul(self) -> float:
        return self.engine.reservoir.balance_error_ul()

    @property
    def events(self) -> tuple[Event, ...]:
        return self._log.events

    @property
    def event_count(self) -> int:  # len(events), without building the status events kept in compact form
        return len(self._log)

    @property
    def basal_program(self) -> BasalProgram | None:
        """The therapy program the clinician set: kept through alarms and suspension, None after a stop."""
        return self.therapy.basal

    def delivery_profile(self) -> DeliveryProfile:
        """mcg at the catheter tip, rebuilt from the log (actuator-reported volume, plug-flow dead volume)."""
        return build_delivery_profile(self._log.events, self.config.dead_volume_ul, self.engine.t_s)

    def run_until_s(self, t_s: float) -> None:
        """Advance to t_s using only the clock, handling every event on the way."""
        self.scheduler.run_until_s(t_s)

    # --- commands ---
    def refill(self, volume_ul: float, conc_mcg_per_ml: float, aspirated_ul: float,
               override_mismatch: bool = False) -> Decision:
        """Aspirate the residual (aspirated_ul, measured by the clinician) and fill volume_ul at conc_mcg_per_ml. A
        residual off the firmware's estimate beyond refill_mismatch_tolerance_ul is rejected unless override_mismatch
        is set (recorded)."""
        self.scheduler.sync()
        engine = self.engine
        expected_ul = max(engine.reservoir.volume_ul, 0.0)
        decision = gate.gate_refill(volume_ul, conc_mcg_per_ml, aspirated_ul, expected_ul,
                                    self.config.reservoir_capacity_ul, self.config.refill_mismatch_tolerance_ul,
                                    self.gate_inputs.state_findings("refill"), self._limits, override_mismatch)
        if self._record(decision):
            previous_conc = engine.reservoir.conc_mcg_per_ml
            replaced_ul = engine.refill(volume_ul, conc_mcg_per_ml)
            self._log.append(self.now_s, EventKind.REFILL, volume_ul=volume_ul, conc_mcg_per_ml=conc_mcg_per_ml,
                             aspirated_ul=aspirated_ul, replaced_estimate_ul=replaced_ul, q_ul=engine.q_ul,
                             previous_conc_mcg_per_ml=previous_conc)
            self.alarms.clear([AlarmName.LOW_RESERVOIR])
            self.scheduler.process_due()
        return decision

    def prime(self) -> Decision:
        """Fill pump tubing and catheter at the priming rate; nothing reaches the patient until the tip is reached."""
        self.scheduler.sync()
        engine, config = self.engine, self.config
        findings = self.gate_inputs.state_findings("prime") or command_rules.priming_findings(
            engine.reservoir.conc_mcg_per_ml, engine.tip_conc_now(), engine.reservoir.volume_ul,
            config.dead_volume_ul, config.priming_rate_ul_per_h, config.max_actuator_rate_ul_per_h)
        decision = gate.gate_simple("prime", findings)
        if self._record(decision, priming_volume_ul=config.dead_volume_ul):
            self.therapy.start_priming()
        return decision

    def start_continuous(self, rate_mcg_per_day: float, override_soft_limits: bool = False) -> Decision:
        """Simple continuous mode (from stopped or suspended; in continuous it replaces the program)."""
        return self._program("start_continuous", self.gate_inputs.therapy_trigger(),
                             lambda: ContinuousProgram(rate_mcg_per_day), override_soft_limits)

    def start_flex(self, schedule: FlexSchedule, override_soft_limits: bool = False) -> Decision:
        """Flex dosing: a daily schedule of rate steps, in the pump clock's time of day. The schedule is placed on
        the pump's clock: its midnight_s is replaced by FirmwareConfig.midnight_s (from start_time_of_day_h)."""
        return self._program("start_flex", self.gate_inputs.therapy_trigger(),
                             lambda: dataclasses.replace(schedule, midnight_s=self.config.midnight_s),
                             override_soft_limits)

    def change_rate(self, rate_mcg_per_day: float, override_soft_limits: bool = False) -> Decision:
        """Replace the running program by simple continuous at a new rate (titration rules apply)."""
        return self._program("change_rate", "change_program", lambda: ContinuousProgram(rate_mcg_per_day),
                             override_soft_limits)

    def resume(self) -> Decision:
        """Continue the kept program; with periodic boluses alone, back to idle, where they run."""
        return self._program("resume", "resume", lambda: self.therapy.basal, False)

    def bridge_bolus(self, rate_mcg_per_day: float | None = None, override_soft_limits: bool = False) -> Decision:
        """After a concentration change, push the old drug out of tubing and catheter at the rate that keeps the
        tip dose of the program, then continue at the new concentration. From stopped, give the program rate."""
        return self._program("bridge_bolus", "start_bridge", lambda: self.therapy.basal if rate_mcg_per_day is None
                             else ContinuousProgram(rate_mcg_per_day), override_soft_limits)

    def clinician_bolus(self, dose_mcg: float, duration_min: float) -> Decision:  # also a screening bolus
        return self._bolus_command("clinician", dose_mcg, duration_min)

    def press_ptm(self) -> Decision:
        """Patient-activated bolus with the configured PTM settings (lockout, count and dose per 24 h)."""
        self.scheduler.sync()
        inputs = self.gate_inputs
        findings = inputs.state_findings("start_bolus") + inputs.bolus_line_findings("ptm")
        settings, bolus = inputs.ptm, None
        if not findings and settings is not None:
            bolus = ActiveBolus("ptm", settings.dose_mcg, self.now_s, self.now_s + settings.duration_min * S_PER_MIN)
        decision = gate.gate_ptm_press(settings, inputs.ptm_presses, inputs.context(findings, bolus), self._limits)
        if self._record(decision) and bolus is not None:
            inputs.remember_ptm_press(self.now_s, bolus.dose_mcg)
            self.therapy.begin_bolus(bolus)
        return decision

    def configure_ptm(self, dose_mcg: float, duration_min: float, lockout_min: float,
                      max_count_per_24h: int) -> Decision:
        self.scheduler.sync()
        settings = gate.PtmSettings(dose_mcg, duration_min, lockout_min, max_count_per_24h)
        decision = gate.gate_ptm_settings(settings, self.gate_inputs.state_findings("configure_ptm"), self._limits)
        if self._record(decision):
            self.gate_inputs.ptm = settings
        return decision

    def setup_periodic_bolus(self, dose_mcg: float, duration_min: float, interval_h: float,
                             first_t_s: float | None = None, override_soft_limits: bool = False) -> Decision:
        """Repeat a bolus every interval_h from first_t_s (default: one interval from now); each run is gated."""
        self.scheduler.sync()
        decision, periodic = self.gate_inputs.periodic_bolus(dose_mcg, duration_min, interval_h, first_t_s,
                                                             override_soft_limits)
        if self._record(decision) and periodic is not None:
            self.gate_inputs.remember_programming(periodic.daily_dose_mcg + (
                self.therapy.basal.daily_dose_mcg if self.therapy.basal is not None else 0.0))
            self.therapy.set_therapy(self.therapy.basal, periodic)
        return decision

    def suspend(self) -> Decision:
        return self._simple("suspend")

    def stop(self) -> Decision:
        decision = self._simple("stop")
        if decision.approved:
            self.therapy.set_therapy(None, None)
        return decision

    def clear_alarm(self) -> Decision:
        """Explicit clear of latched alarms; the pump returns to suspended (program or periodic boluses kept, nothing
        restarts before resume) or stopped."""
        self.scheduler.sync()
        findings = self.gate_inputs.state_findings("clear_alarm") or command_rules.clear_alarm_findings(
            AlarmName.EMPTY_RESERVOIR in self.alarms, self.reservoir_volume_ul)
        decision = gate.gate_simple("clear_alarm", findings)
        if self._record(decision):
            self.alarms.clear(self.alarms.names)
            self.engine.restart_window()
            self.therapy.fire("clear_alarm")
        return decision

    # --- helpers ---
    def _program(self, request: str, trigger: str, make_program: Callable[[], BasalProgram | None],
                 override_soft_limits: bool) -> Decision:
        self.scheduler.sync()
        inputs, therapy = self.gate_inputs, self.therapy
        findings = inputs.state_findings(trigger)
        program: BasalProgram | None = None
        planned: PlannedTherapy | None = None
        if not findings:
            error: Exception | None = None
            try:
                program = make_program()
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                error = exc
            periodic_only = program is None and trigger == "resume" and therapy.periodic is not None
            findings = command_rules.program_findings(request, error, program is not None, periodic_only)
        if findings:
            decision = decide(request, findings)
        else:  # the therapy that will run: program, periodic boluses, line
            planned = inputs.planned_therapy(program, bridging=trigger == "start_bridge")
            ctx = inputs.context([], None, basal=program, stack_periodic=True)
            decision = gate.gate_planned_therapy(request, planned, ctx, inputs.titration(), self._limits,
                                                 override_soft_limits)
        if self._record(decision):
            assert planned is not None
            inputs.remember_programming(planned.daily_dose_mcg)
            therapy.set_therapy(program, therapy.periodic)
            if trigger == "start_bridge":
                therapy.start_bridge()
            therapy.fire(trigger)
        return decision

    def _bolus_command(self, kind: str, dose_mcg: float, duration_min: float, override_soft: bool = False) -> Decision:
        self.scheduler.sync()
        inputs = self.gate_inputs
        findings = inputs.state_findings("start_bolus") + inputs.bolus_line_findings(kind)
        bolus = None
        if not findings and not checks.check_number("dose_mcg", dose_mcg) and not checks.check_number(
                "duration_min", duration_min):
            bolus = ActiveBolus(kind, dose_mcg, self.now_s, self.now_s + duration_min * S_PER_MIN)
        decision = gate.gate_bolus(f"{kind}_bolus", dose_mcg, duration_min, inputs.context(findings, bolus),
                                   self._limits, override_soft)
        if self._record(decision):
            assert bolus is not None
            inputs.remember_bolus(bolus)
            self.therapy.begin_bolus(bolus)
        return decision

    def _run_periodic_bolus(self, periodic: PeriodicBolus) -> None:  # each run is gated as a bolus
        self._bolus_command("periodic", periodic.dose_mcg, periodic.duration_min, periodic.override_soft_limits)

    def _simple(self, trigger: str) -> Decision:
        """Suspend or stop: state rules only; a running bolus is aborted."""
        self.scheduler.sync()
        decision = gate.gate_simple(trigger, self.gate_inputs.state_findings(trigger))
        if self._record(decision):
            self.therapy.abort_bolus()
            self.therapy.fire(trigger)
        return decision

    def _record(self, decision: Decision, **fields: Any) -> bool:
        """Log the gate's decision on a command; whether it was approved."""
        self._log.append(self.now_s, EventKind.DECISION, **decision.to_record(), **fields)
        return decision.approved
