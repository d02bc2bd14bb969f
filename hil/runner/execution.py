"""The run loop: timed steps, supervision samples with three volumes, the gravimetric window, verdict.

Time advances only through the firmware (firmware.run_until_s sleeps on the rig's clock), so on a virtual
clock a 30-day scenario costs one pump status read per supervision period, and a balance reading only where a
measurement needs one (the gravimetric window, ticks where a step ran, the open-loop stall check, the final sample;
a delivered-profile point takes one of those, or its own after RunOptions.delivered_profile_max_wait_s); a
wall-clock rig weighs at every tick (the reading costs nothing there).

Volume samples fall on the firmware's own supervision ticks (which count from the firmware's start: on a wall
clock a little after the clock's zero, once the rig is open), so the pump-reported volume of each sample is
the status the firmware read at that moment, beside the balance reading of the same moment. Where the
firmware did not read at that moment (the first sample, a tick it ran late), the runner reads the pump itself.
At the end of the scenario the pump is stopped before the verdict, and the last sample is read after the stop.
"""
from __future__ import annotations

import math
from typing import Any

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.event_log import Event, EventKind
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import PumpFirmware
from firmware_sim.pump.program_timeline import ProgramTimeline
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.units import S_PER_H
from hil.adapters import GravimetricReading
from hil.adapters.for_rig import balance_sampler, pump_actuator
from hil.config.scenario import ScenarioConfig
from hil.config.scenario_steps import step_params
from hil.records import events as ev
from hil.records.writer import RecordWriter
from hil.rig import Rig
from hil.runner import expectations as expect
from hil.runner.alarm_stop import AlarmStop, at_or_above
from hil.runner.balance_loss import balance_notes, judged_with_balance
from hil.runner.envelope_verdict import judge_envelopes
from hil.runner.firmware_setup import SetupRejected, set_up_firmware
from hil.runner.interrupt import InterruptFlag, RunAborted
from hil.runner.lateness import Lateness, lateness_tolerance_s
from hil.runner.live_status import RunMonitor
from hil.runner.observations import Observations
from hil.runner.options import RunOptions
from hil.runner.physical_reservoir import PhysicalReservoir
from hil.runner.pk_verdict import DeliveredSource, PkOutcome, evaluate_pk
from hil.runner.population_check import record_population, record_pk_series
from hil.runner.pump_stop import pump_volume_ul, stop_pump
from hil.runner.sampling import gravimetric_window, merged_times_s, supervision_times_s
from hil.runner.steps import StepContext, execute_step

__all__ = ["RunAborted", "RunExecution", "SetupRejected"]


class RunExecution:
    def __init__(self, scenario: ScenarioConfig, rig: Rig, record: RecordWriter, options: RunOptions,
                 fw_config: FirmwareConfig, limits: DrugLimits,
                 monitor: RunMonitor | None = None) -> None:
        self.scenario, self.rig, self.record, self.options = scenario, rig, record, options
        self.fw_config, self.limits = fw_config, limits
        self.pk_peaks: dict[str, dict[str, float]] = {}
        self.seen = Observations()
        self.lateness = Lateness(lateness_tolerance_s(rig.config.clock == "wall", scenario.supervision_period_s,
                                                      rig.time_compression_factor))
        self.sampler = balance_sampler(rig)
        self.actuator = pump_actuator(rig, self._reading if self.sampler is not None else None)
        self.actuator.before_exchange = record.write_held  # a held status line is out before the pump is asked
        self.firmware = PumpFirmware(fw_config, limits, self.actuator, rig.clock, event_sink=self._on_firmware_event)
        self.start_s = self.firmware.now_s
        self.programs = ProgramTimeline()
        """The therapy program after each step: the withdrawal envelope's sustained level (SR-PK-006)."""
        self.pump_stop: dict[str, Any] | None = None
        """What stopping the pump at the end (or on Ctrl-C) did (stop_pump); None while it has not been stopped."""
        self.reservoir = PhysicalReservoir(scenario.pump_settings.reservoir_volume_ul)
        self.monitor = monitor or RunMonitor()
        self.alarm_stop: AlarmStop | None = None
        """The alarm that ends the run (RunOptions.stop_on_alarm), once one has latched."""
        self._readings: dict[float, GravimetricReading | None] = {}

    # --- firmware events into the record ---
    def _on_firmware_event(self, event: Event) -> None:
        fields = dict(event.fields)
        logged = ev.FirmwareEvent(t_s=event.t_s, kind=event.kind, fields=fields)
        if event.kind == EventKind.STATUS:
            self.record.hold(logged)  # the volume sample of this moment carries it
        else:
            self.record.write(logged)
        self.monitor.firmware_event(event)
        if event.kind == EventKind.ALARM:
            name, priority = str(fields["alarm"]), str(fields["priority"])
            self.seen.alarms.append((event.t_s, name))
            self.record.write(ev.Alarm(t_s=event.t_s, name=name, priority=priority, detail=fields.get("detail", ""),
                                       requirement_id=fields.get("requirement_id")))
            threshold = self.options.stop_on_alarm
            if threshold is not None and self.alarm_stop is None and at_or_above(priority, threshold):
                self.alarm_stop = AlarmStop(event.t_s, name, priority, threshold)  # the loop ends at its next check
        elif event.kind == EventKind.STATE:
            self.seen.states.changed(event.t_s, str(fields["to_state"]))
        elif event.kind == EventKind.STATUS:
            self.seen.last_status_t_s = event.t_s

    # --- the loop ---
    def run(self, interrupt: InterruptFlag) -> tuple[str, str]:
        interrupt.check()  # a Ctrl-C while the rig was opened
        interrupt.enter("the scenario set-up")
        self._set_up()
        interrupt.check()
        interrupt.enter("the scenario steps")
        end_s = self.scenario.duration_h * S_PER_H
        ticks = supervision_times_s(self.start_s, self.scenario.supervision_period_s, end_s)
        window = None
        if self.sampler is not None and self.rig.config.balance is not None:
            window = gravimetric_window(self.scenario.steps, self.options.gravimetric_start_h,
                                        self.options.gravimetric_duration_h,
                                        self.rig.config.balance.sample_interval_s, self.scenario.duration_h)
        window_times = window.times_s() if window else []
        steps = list(enumerate(self.scenario.steps))
        times = merged_times_s(ticks, window_times, [s.at_h * S_PER_H for _, s in steps], [end_s])
        tick_keys, window_keys = {_key(t) for t in ticks}, {_key(t) for t in window_times}
        wall = self.rig.config.clock == "wall"
        self._volume_sample(self.firmware.now_s)
        for t_s in times:
            self._advance_to(t_s, interrupt, wall)
            stepped = False
            while steps and steps[0][1].at_h * S_PER_H <= t_s + TIME_EPS_S and self.alarm_stop is None:
                index, step = steps.pop(0)
                self._run_step(index, step)
                stepped = True
            if self.alarm_stop is not None:
                break
            if _key(t_s) in window_keys:
                self._balance_sample()
            if _key(t_s) in tick_keys and t_s < end_s - TIME_EPS_S:
                self._volume_sample(t_s, weigh=stepped or wall)
        if self.alarm_stop is None:
            self.lateness.end(end_s, self.firmware.now_s)
        self.stop_pump_and_sample()
        interrupt.check()
        if self.alarm_stop is not None:
            return self._stopped_on_alarm(self.alarm_stop)
        interrupt.enter("the verdict (expectations, PK prediction, envelopes)")
        verdict = self.lateness.judged(*judged_with_balance(self.sampler, *self._verdict()))
        interrupt.check()
        return verdict

    def stop_pump_and_sample(self) -> dict[str, Any]:
        """Stop the pump through its driver (once), then record the volumes delivered so far: the pump's status
        read after the stop, the balance and the firmware's commanded volume."""
        if self.pump_stop is None:
            self.record.write_held()
            self.pump_stop = stop_pump(self.rig, self.actuator)
            if self.sampler is not None:
                self.sampler.retry_now()  # the last reading: whether a failing balance came back
            self._volume_sample(self.firmware.now_s, after_pump_stop=True)
        return self.pump_stop

    def _stopped_on_alarm(self, stop: AlarmStop) -> tuple[str, str]:
        """The run ends on the alarm (the pump is already stopped): no verdict, the record says why."""
        pump_stop = str((self.pump_stop or {}).get("pump_stop"))
        self.record.write(stop.record_event(self.firmware.now_s, pump_stop))
        return "ERROR", f"{stop.describe()}; {pump_stop}"

    def _advance_to(self, t_s: float, interrupt: InterruptFlag, wall: bool) -> None:
        chunk_s = self.options.max_wall_step_s * self.rig.time_compression_factor if wall else math.inf  # scenario s
        while True:
            if interrupt.requested:
                raise RunAborted(f"{interrupt.describe()} at t={self.firmware.now_s / S_PER_H:.3f} h")
            target = min(t_s, self.firmware.now_s + chunk_s)
            self.firmware.run_until_s(target)
            self.monitor.at(self.firmware.now_s)
            if target >= t_s or self.alarm_stop is not None:
                return

    def _set_up(self) -> None:
        if self.sampler is not None:
            self._reading()  # the balance's baseline, before anything is pumped
        set_up_firmware(self.firmware, self.scenario, self.limits)

    def _run_step(self, index: int, step: Any) -> None:
        ctx = StepContext(self.firmware, self.rig, self.reservoir, self._reading if self.sampler else None)
        self.lateness.step(index, step.action, step.at_h * S_PER_H, self.firmware.now_s)
        result = execute_step(step, ctx)
        self.programs.note(self.firmware.now_s, self.firmware.basal_program)
        ids = list(
            dict.fromkeys(list(step.requirement_ids) + (step.expect.cites_requirement_ids if step.expect else []))
        )
        self.record.write(ev.Step(t_s=self.firmware.now_s, index=index, action=step.action, params=step_params(step),
                                  decision=result.decision, reasons=tuple(result.reasons), requirement_ids=tuple(ids),
                                  expected_decision=step.expect.decision if step.expect else None,
                                  decision_requirement_ids=tuple(result.decision_requirement_ids), note=step.note,
                                  extra=result.details))
        if result.details.get("overridden"):
            self.seen.overrides.append(f"step {index} {step.action} at {step.at_h:g} h approved over soft limits "
                                       f"(override_soft_limits): {'; '.join(result.details['overridden'])}")
        if step.expect is not None:
            self._expectation(expect.check_step(index, step.action, step.expect, result, ids))
        elif result.decision == "rejected":
            self.seen.unexpected.append(f"step {index} {step.action} at {step.at_h:g} h was rejected, which the "
                                        f"scenario expects nothing of ({'; '.join(result.reasons)})")

    def _reading(self) -> GravimetricReading | None:
        """The balance reading at the firmware's now, read once: the stall check during a status read and the
        samples after it share it (on a wall clock the firmware's now is a little past the nominal tick)."""
        if self.sampler is None:
            return None
        key = _key(self.firmware.now_s)
        if key not in self._readings:
            self.record.write_held()
            reading = self._readings[key] = self.sampler.read(self.firmware.now_s)
            if reading is not None:
                self.monitor.balance(reading.t_s, reading.mass_g, reading.stable)
        return self._readings[key]

    def _balance_sample(self) -> None:
        reading = self._reading()
        if reading is not None:
            self.record.write(ev.BalanceSample(t_s=reading.t_s, mass_g=reading.mass_g, stable=reading.stable))

    def _volume_sample(self, t_s: float, after_pump_stop: bool = False, weigh: bool = True) -> None:
        """weigh=False: the sample carries a reading already taken at this moment, or none; the balance is read
        only for a delivered-profile point that has waited its longest for such a reading."""
        fw = self.firmware
        read_now = self.seen.last_status_t_s is not None and abs(self.seen.last_status_t_s - fw.now_s) < TIME_EPS_S
        late_s = self._profile_point_late_s(fw.now_s)
        profile_due = read_now and late_s >= -TIME_EPS_S
        taken = self._readings.get(_key(fw.now_s))
        overdue = profile_due and late_s >= self.options.delivered_profile_max_wait_s - TIME_EPS_S
        reading = self._reading() if weigh or after_pump_stop or (overdue and taken is None) else taken
        gravimetric = reading.volume_ul if reading is not None else None
        if gravimetric is not None and profile_due and self.seen.last_status_t_s is not None:
            self.seen.gravimetric_at_tick[self.seen.last_status_t_s] = gravimetric
        # the firmware's status read of this very moment, else the pump's accumulator read now
        pump_ul = fw.actuator_reported_volume_ul if read_now and not after_pump_stop else pump_volume_ul(self.actuator)
        self.record.write(ev.VolumeSample(t_s=fw.now_s, commanded_ul=fw.commanded_volume_ul, pump_reported_ul=pump_ul,
                                          gravimetric_ul=gravimetric, rate_ul_per_h=fw.actuator_rate_ul_per_h,
                                          after_pump_stop=True if after_pump_stop else None))
        self.monitor.volumes(fw.now_s, fw.commanded_volume_ul, pump_ul, gravimetric, fw.actuator_rate_ul_per_h)
        self._readings = {k: v for k, v in self._readings.items() if k >= t_s - TIME_EPS_S}

    def _profile_point_late_s(self, t_s: float) -> float:
        """How long ago the next delivered-profile point fell due (negative: not yet due)."""
        points = self.seen.gravimetric_at_tick  # filled in time order: the last key is the latest point
        return t_s - (next(reversed(points)) if points else -math.inf) - self.options.delivered_profile_resolution_s

    # --- verdict ---
    def _expectation(self, result: expect.ExpectationResult) -> None:
        self.record.write(ev.Expectation(name=result.name, passed=result.passed, detail=result.detail,
                                         requirement_ids=tuple(result.requirement_ids)))
        self.seen.checked_expectation_count += 1
        if not result.passed:
            self.seen.failed.append(f"{result.name}: {result.detail}")

    def _verdict(self) -> tuple[str, str]:
        scenario = self.scenario
        for alarm in scenario.expectations.alarms:
            self._expectation(expect.check_alarm(alarm, self.seen.alarms, scenario.duration_h))
        for state in scenario.expectations.states:
            self._expectation(expect.check_state(state, self.seen.states))
        pk = self._pk()
        notes, caught = judge_envelopes(pk, scenario, self.record, self.seen.alarms, self.seen.states,
                                        self._expectation, self.seen.failed.append)
        notes[:0] = self.seen.overrides
        if scenario.patients is not None:
            failures, population_notes = record_population(self.record, pk, scenario, caught)
            self.seen.failed.extend(failures)
            notes.extend(population_notes)
        if pk.delivered_source is DeliveredSource.GRAVIMETRIC_THEN_PUMP_REPORTED and pk.last_weighed_s is not None:
            notes.append(f"the delivered profile's last balance point is at t={pk.last_weighed_s / S_PER_H:.3f} h: "
                         f"after it the profile follows the pump-reported volume (the pump's count, not the outflow)")
        notes.extend(balance_notes(self.sampler))
        unprovoked, high_alarms = expect.unexpected_high_alarms(self.seen.alarms, scenario.expectations,
                                                                scenario.first_fault_h() * S_PER_H)
        self.seen.failed.extend(unprovoked)
        if self.seen.failed:
            return "FAIL", "; ".join(self.seen.failed + notes)
        passed = sum(1 for e in pk.envelopes if e.passed)
        if self.seen.checked_expectation_count == 0 and passed == 0:  # nothing judged: never a pass
            return "NOT_EVALUATED", "; ".join([f"nothing was judged: the scenario lists no expectation and none of the "
                                               f"{len(pk.envelopes)} envelopes could be evaluated"]
                                              + self.seen.unexpected + high_alarms + notes)
        return "PASS", "; ".join([f"all {self.seen.checked_expectation_count} expectations met and {passed} of "
                                  f"{len(pk.envelopes)} envelopes passed"] + self.seen.unexpected + high_alarms + notes)

    def _pk(self) -> PkOutcome:
        scenario = self.scenario
        pk = evaluate_pk(self.firmware.events, self.fw_config.dead_volume_ul, scenario.duration_h,
                         scenario.patient.weight_kg, scenario.patient.age_group, self.options.pk_step_h,
                         self.seen.gravimetric_at_tick or None,
                         self.options.profile_point_spacing(scenario.supervision_period_s), self.programs,
                         scenario.pump_settings.catheter.mixing_tanks)
        differences = record_pk_series(self.record, pk)
        self.pk_peaks = differences
        return pk


def _key(t_s: float) -> float:
    """Sample times from different grids compare equal to the millisecond."""
    return round(t_s, 3)
