"""The clock-driven part of the firmware: run loop, scheduled events, supervision ticks, alarms.

run_until_s sleeps on the clock from event to event (supervision ticks every supervision_period_s,
bolus ends, flex steps, periodic boluses, priming/bridge completion, reservoir levels), so virtual
time costs one status read per tick plus one actuator command per rate change.
"""
from __future__ import annotations

import math

from firmware_sim.clock import TIME_EPS_S, Clock
from firmware_sim.event_log import EventKind, EventLog, EventSink
from firmware_sim.ports import Actuator, ActuatorError
from firmware_sim.pump.alarms import ActiveAlarm, AlarmName, AlarmPriority, alarm_for_actuator_fault
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.engine import TIP_LOOKAHEAD_UL, DeliveryEngine
from firmware_sim.pump.programs import ActiveBolus, BasalProgram, PeriodicBolus
from firmware_sim.pump.states import PumpState, StateModel, build_machine
from firmware_sim.pump.supervision import Supervision
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.units import S_PER_H, UL_PER_ML

VOLUME_EPS_UL = 1e-9
THERAPY_STATES = (PumpState.CONTINUOUS, PumpState.BOLUS, PumpState.BRIDGE)


class FirmwareRuntime(Supervision):
    def __init__(self, config: FirmwareConfig, limits: DrugLimits, actuator: Actuator, clock: Clock,
                 event_sink: EventSink | None = None) -> None:
        self._config = config
        self._limits = limits
        self._clock = clock
        self._log = EventLog(event_sink)
        self._window_s = limits.window_h * S_PER_H
        self._engine = DeliveryEngine(config, actuator, clock, self._log, 2 * self._window_s)
        self._model = StateModel(lambda: self._basal is not None,
                                 lambda: self._basal is not None or self._periodic is not None)
        self._machine = build_machine(self._model, on_exception=self._on_machine_exception)
        self._machine_error: Exception | None = None
        self._basal: BasalProgram | None = None
        self._bolus: ActiveBolus | None = None
        self._periodic: PeriodicBolus | None = None
        self._next_flex_s = math.inf
        self._line_mark: tuple[float, float] = (-math.inf, 0.0)
        """(outlet volume, concentration) of the last change of the tip concentration that priming or a bridge has
        taken (its start at first): priming ends where drug first reaches the tip, whatever fills follow, and a
        bridge over several concentrations keeps the tip dose through each."""
        self._alarms: dict[AlarmName, ActiveAlarm] = {}
        self._eri_raised = False
        self._next_tick_s = self._engine.t_s + config.supervision_period_s
        # supervision thresholds, fixed for the run (config and limits are frozen)
        self._tolerance_fraction = config.delivery_tolerance_fraction
        self._tolerance_floor_ul = config.delivery_tolerance_floor_ul
        self._window_restart_s = config.supervision_window_s - TIME_EPS_S
        self._dose_breach_mcg = limits.hard_max_daily_dose_mcg * (1 + 1e-9)

    # --- read-only views ---
    @property
    def state(self) -> PumpState:
        return self._model.state

    @property
    def now_s(self) -> float:
        return self._engine.t_s

    @property
    def active_alarms(self) -> tuple[ActiveAlarm, ...]:
        return tuple(self._alarms.values())

    @property
    def reservoir_volume_ul(self) -> float:
        return self._engine.reservoir.volume_ul

    @property
    def reservoir_conc_mcg_per_ml(self) -> float:
        return self._engine.reservoir.conc_mcg_per_ml

    @property
    def commanded_volume_ul(self) -> float:
        return self._engine.q_ul

    @property
    def actuator_reported_volume_ul(self) -> float:
        """Actuator-reported volume since the firmware first talked to it (as of the last status read)."""
        return self._engine.reported_ul

    @property
    def actuator_rate_ul_per_h(self) -> float:
        return self._engine.rate_ul_per_h

    @property
    def reservoir_balance_error_ul(self) -> float:
        return self._engine.reservoir.balance_error_ul()

    # --- run loop ---
    def run_until_s(self, t_s: float) -> None:
        """Advance supervision to t_s using only the clock, handling every event on the way."""
        self._process_due()
        while True:
            if self._next_tick_s < t_s:
                self._run_quiet_ticks(t_s)
                if self._engine.t_s >= t_s - TIME_EPS_S:
                    return
            target_s = min(t_s, self._next_event_s())
            self._clock.sleep_until_s(target_s)
            self._engine.advance_to(self._clock.now_s())
            self._process_due()
            if self._engine.t_s >= t_s - TIME_EPS_S:
                return

    def _sync(self) -> None:
        self.run_until_s(self._clock.now_s())

    def _next_event_s(self) -> float:
        return max(min(self._next_tick_s, self._next_event_besides_ticks_s()), self._engine.t_s)

    def _next_event_besides_ticks_s(self, margin_s: float = 0.0, margin_ul: float = 0.0) -> float:
        """When the earliest scheduled event other than a supervision tick falls due: priming or bridge boundary
        and reservoir levels (reached at the commanded rate), bolus end, periodic bolus, flex step, elective
        replacement. With margins, brought forward by margin_s, and volume events also by margin_ul of flow
        (the bulk tick path stops that far before them)."""
        engine, state = self._engine, self._model.state
        rate, t_s, candidates = engine.rate_ul_per_h, engine.t_s, [math.inf]
        if rate > 0:
            volumes_ul = []
            if state is PumpState.PRIMING or state is PumpState.BRIDGE:
                boundary = self._line_boundary_ul()
                if boundary is not None:
                    volumes_ul.append(boundary - engine.q_ul)
            if AlarmName.LOW_RESERVOIR not in self._alarms:
                volumes_ul.append(engine.reservoir.volume_ul - self._config.low_reservoir_threshold_ul)
            volumes_ul.append(engine.reservoir.volume_ul)
            candidates += [t_s + (remaining_ul - margin_ul) / rate * S_PER_H - margin_s for remaining_ul in volumes_ul]
        if self._bolus is not None:
            candidates.append(self._bolus.end_s - margin_s)
        if self._periodic is not None:
            candidates.append(self._periodic.next_s - margin_s)
        if state in THERAPY_STATES:
            candidates.append(self._next_flex_s - margin_s)
        if self._config.elective_replacement_at_s is not None and not self._eri_raised:
            candidates.append(self._config.elective_replacement_at_s - margin_s)
        return min(candidates)

    def _process_due(self) -> None:
        for _ in range(32):
            if not self._process_one_due():
                return
        raise RuntimeError("firmware event processing did not settle")

    def _process_one_due(self) -> bool:
        engine, now, state = self._engine, self._engine.t_s, self._model.state
        # a volume counts as reached within a microsecond of flow (plus float noise)
        volume_slack_ul = engine.rate_ul_per_h * TIME_EPS_S / S_PER_H + VOLUME_EPS_UL
        if state is PumpState.PRIMING or state is PumpState.BRIDGE:
            step = engine.track.next_conc_step(self._line_mark[0])
            if step is None or step[0] - engine.q_ul <= volume_slack_ul:
                if step is not None:
                    self._line_mark = step
                if state is PumpState.PRIMING:
                    self._fire("priming_done")  # drug reaches the tip
                elif step is None or engine.track.next_conc_step(step[0]) is None:
                    self._fire("bridge_done")  # the reservoir's drug reaches the tip
                else:
                    self._apply_delivery()  # another concentration reaches the tip: same tip dose, new volume rate
                return True
        reservoir = engine.reservoir
        if engine.rate_ul_per_h > 0 and reservoir.volume_ul <= volume_slack_ul:
            self._raise_alarm(AlarmName.EMPTY_RESERVOIR, f"reservoir estimate {reservoir.volume_ul:.6g} uL")
            return True
        if (AlarmName.LOW_RESERVOIR not in self._alarms and reservoir.conc_mcg_per_ml > 0 and
                reservoir.volume_ul - self._config.low_reservoir_threshold_ul <= volume_slack_ul):
            self._raise_alarm(AlarmName.LOW_RESERVOIR, f"reservoir estimate {reservoir.volume_ul:.6g} uL at "
                              f"the programmed rate is at or below {self._config.low_reservoir_threshold_ul:g} uL")
            return True
        if self._bolus is not None and now >= self._bolus.end_s - TIME_EPS_S:
            self._log.append(now, EventKind.DOSE, event="bolus_end", bolus_kind=self._bolus.kind,
                             dose_mcg=self._bolus.dose_mcg)
            self._bolus = None
            self._fire("bolus_done")
            return True
        if self._periodic is not None and now >= self._periodic.next_s - TIME_EPS_S:
            periodic = self._periodic
            self._periodic = PeriodicBolus(periodic.dose_mcg, periodic.duration_min, periodic.interval_h,
                                           periodic.next_s + periodic.interval_h * S_PER_H)
            self._run_periodic_bolus(periodic)
            return True
        if state in THERAPY_STATES and now >= self._next_flex_s - TIME_EPS_S:
            self._apply_delivery()
            return True
        eri_s = self._config.elective_replacement_at_s
        if eri_s is not None and not self._eri_raised and now >= eri_s - TIME_EPS_S:
            self._eri_raised = True
            self._raise_alarm(AlarmName.ELECTIVE_REPLACEMENT, "battery elective replacement time reached")
            return True
        if now >= self._next_tick_s - TIME_EPS_S:
            self._supervise()
            period = self._config.supervision_period_s
            self._next_tick_s = max(self._next_tick_s + period, now + period / 2)
            return True
        return False

    def _line_boundary_ul(self) -> float | None:
        """The next volume event of priming or a bridge: the next change of the tip concentration not taken yet
        (in priming, where drug reaches the tip). None: none ahead."""
        step = self._engine.track.next_conc_step(self._line_mark[0])
        return None if step is None else step[0]

    def _run_periodic_bolus(self, periodic: PeriodicBolus) -> None:
        raise NotImplementedError  # provided by PumpFirmware (goes through the gate)

    # --- alarms and state changes ---
    def _raise_alarm(self, name: AlarmName, detail: str) -> None:
        """Latch the alarm; a high-priority one aborts a running bolus and stops delivery at once [SR-ALM-001]."""
        if name in self._alarms:
            return
        alarm = ActiveAlarm.raised(name, self._engine.t_s, detail)
        self._alarms[name] = alarm
        self._log.append(self._engine.t_s, EventKind.ALARM, **alarm.to_record())
        if alarm.priority is AlarmPriority.HIGH:
            if self._bolus is not None:
                self._log.append(self._engine.t_s, EventKind.DOSE, event="bolus_aborted", bolus_kind=self._bolus.kind,
                                 dose_mcg=self._bolus.dose_mcg)
                self._bolus = None
            error = self._engine.force_stop()
            if error is not None:
                self._log.append(self._engine.t_s, EventKind.STOP_FAILED, alarm=name.value, detail=repr(error))
            self._fire("raise_alarm")

    def _clear_alarms(self, names: list[AlarmName]) -> None:
        for name in names:
            if self._alarms.pop(name, None) is not None:
                self._log.append(self._engine.t_s, EventKind.ALARM_CLEARED, alarm=name.value)

    def _on_machine_exception(self, event_data: object) -> None:
        self._machine_error = getattr(event_data, "error", None) or RuntimeError("state machine error")

    def _fire(self, trigger: str) -> None:
        before = self.state
        self._model.trigger(trigger)  # type: ignore[attr-defined]
        error, self._machine_error = self._machine_error, None
        if self.state is not before:
            self._log.append(self._engine.t_s, EventKind.STATE, from_state=before.value, to_state=self.state.value,
                             trigger=trigger)
        if error is not None:
            self._raise_alarm(AlarmName.FIRMWARE_FAULT, f"{trigger}: {error!r}")
            return
        self._apply_delivery()

    def _target_rate_ul_per_h(self) -> float:
        state, now = self.state, self._engine.t_s
        due_flex_s, self._next_flex_s = self._next_flex_s, math.inf
        if state is PumpState.PRIMING:
            return self._config.priming_rate_ul_per_h
        if state not in THERAPY_STATES:
            return 0.0
        tip_mcg_per_h = 0.0
        if self._basal is not None:
            # a step due within TIME_EPS_S after now counts as reached, as _process_one_due fires it
            at_s = due_flex_s if now < due_flex_s <= now + TIME_EPS_S else now
            tip_mcg_per_h += self._basal.rate_mcg_per_h_at(at_s)
            self._next_flex_s = self._basal.next_change_s(at_s)
        if self._bolus is not None:
            tip_mcg_per_h += self._bolus.rate_mcg_per_h
        conc = self._engine.tip_conc_now()
        mark_ul, mark_conc = self._line_mark
        if mark_ul > self._engine.q_ul + TIP_LOOKAHEAD_UL:  # a bridge step taken a hair before the outlet reached it
            conc = mark_conc
        if conc <= 0:
            raise RuntimeError(f"therapy in state {state.value} with no drug at the catheter tip")
        return tip_mcg_per_h / conc * UL_PER_ML

    def _apply_delivery(self) -> None:
        if self.state is PumpState.ALARM:
            return
        try:
            self._engine.set_rate(self._target_rate_ul_per_h())
        except ActuatorError as exc:
            self._raise_alarm(alarm_for_actuator_fault(exc.fault, True), f"rate command failed: {exc}")
        except Exception as exc:
            self._raise_alarm(AlarmName.FIRMWARE_FAULT, f"rate computation or command failed: {exc!r}")
