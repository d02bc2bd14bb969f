"""The therapy that runs: the state machine, the programs it holds (basal, bolus, periodic), the line mark of priming
and bridging, and the actuator rate they call for (the one place a rate is commanded)."""
from __future__ import annotations

import math
from typing import Any

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.event_log import EventKind, EventLog
from firmware_sim.ports import ActuatorError
from firmware_sim.pump.alarms import AlarmName, AlarmSet, alarm_for_actuator_fault
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.engine import DeliveryEngine
from firmware_sim.pump.programs import ActiveBolus, BasalProgram, PeriodicBolus
from firmware_sim.pump.programmed_history import ProgrammedHistory
from firmware_sim.pump.states import PumpState, StateModel, build_machine
from firmware_sim.units import S_PER_MIN, UL_PER_ML

THERAPY_STATES = (PumpState.CONTINUOUS, PumpState.BOLUS, PumpState.BRIDGE)


class TherapyControl:
    def __init__(self, config: FirmwareConfig, engine: DeliveryEngine, log: EventLog, alarms: AlarmSet,
                 programmed_span_s: float) -> None:
        self._config = config
        self._engine = engine
        self._log = log
        self._alarms = alarms
        self.basal: BasalProgram | None = None
        """The therapy program the clinician set: kept through alarms and suspension, None after a stop."""
        self.bolus: ActiveBolus | None = None
        self.periodic: PeriodicBolus | None = None
        self.programmed = ProgrammedHistory(programmed_span_s)
        """basal and periodic as the clinician set them over time (set_therapy), for the gate's window limits."""
        self.next_flex_s = math.inf
        """When the basal program's rate changes next (inf: never, or not delivering)."""
        self.line_mark: tuple[float, float] = (-math.inf, 0.0)
        """(outlet volume, concentration) of the last change of the tip concentration that priming or a bridge has
        taken (its start at first): priming ends where drug first reaches the tip, whatever fills follow, and a
        bridge over several concentrations keeps the tip dose through each."""
        self.model = StateModel(lambda: self.basal is not None,
                                lambda: self.basal is not None or self.periodic is not None)
        self.machine = build_machine(self.model, on_exception=self._on_machine_exception)
        self._machine_error: Exception | None = None
        self._allowed_triggers: dict[PumpState, frozenset[str]] = {}
        """The triggers the table allows in each state (the table is fixed: asked of the machine once per state)."""

    def set_therapy(self, basal: BasalProgram | None, periodic: PeriodicBolus | None) -> None:
        """The therapy the clinician set from now on (a program, periodic boluses; None: none)."""
        self.basal, self.periodic = basal, periodic
        self.programmed.note(self._engine.t_s, basal, periodic)

    @property
    def state(self) -> PumpState:
        return self.model.state

    def allowed_triggers(self) -> frozenset[str]:
        state = self.state
        allowed = self._allowed_triggers.get(state)
        if allowed is None:
            allowed = self._allowed_triggers[state] = frozenset(self.machine.get_triggers(state))
        return allowed

    # --- state changes ---
    def fire(self, trigger: str) -> None:
        """Take the transition and command the rate of the new state; a callback error latches a firmware fault."""
        before = self.state
        self.model.trigger(trigger)  # type: ignore[attr-defined]
        error, self._machine_error = self._machine_error, None
        if self.state is not before:
            self._log.append(self._engine.t_s, EventKind.STATE, from_state=before.value, to_state=self.state.value,
                             trigger=trigger)
        if error is not None:
            self._alarms.raise_alarm(AlarmName.FIRMWARE_FAULT, f"{trigger}: {error!r}")
            return
        self.apply_delivery()

    def _on_machine_exception(self, event_data: Any) -> None:
        self._machine_error = getattr(event_data, "error", None) or RuntimeError("state machine error")

    def halt(self, name: AlarmName) -> None:
        """A high-priority alarm: abort a running bolus and stop delivery at once [SR-ALM-001]."""
        self.abort_bolus()
        error = self._engine.force_stop()
        if error is not None:
            self._log.append(self._engine.t_s, EventKind.STOP_FAILED, alarm=name.value, detail=repr(error))
        self.fire("raise_alarm")

    # --- boluses and the bridge ---
    def begin_bolus(self, bolus: ActiveBolus) -> None:
        self.bolus = bolus
        self._log.append(self._engine.t_s, EventKind.DOSE, event="bolus_start", bolus_kind=bolus.kind,
                         dose_mcg=bolus.dose_mcg, duration_min=(bolus.end_s - bolus.start_s) / S_PER_MIN)
        self.fire("start_bolus")

    def abort_bolus(self) -> None:
        if self.bolus is not None:
            self._log.append(self._engine.t_s, EventKind.DOSE, event="bolus_aborted", bolus_kind=self.bolus.kind,
                             dose_mcg=self.bolus.dose_mcg)
            self.bolus = None

    def end_bolus(self) -> None:
        assert self.bolus is not None
        self._log.append(self._engine.t_s, EventKind.DOSE, event="bolus_end", bolus_kind=self.bolus.kind,
                         dose_mcg=self.bolus.dose_mcg)
        self.bolus = None
        self.fire("bolus_done")

    def start_priming(self) -> None:
        self.line_mark = (self._engine.planning_outlet_ul, 0.0)
        self.fire("prime")

    def start_bridge(self) -> None:
        """From here the bridge follows each change of the tip concentration ahead (line_mark) until the reservoir's
        drug reaches the tip."""
        engine = self._engine
        outlet_ul = engine.planning_outlet_ul
        self.line_mark = (outlet_ul, engine.tip_conc_now())
        end_ul, step = outlet_ul, engine.track.next_conc_step(outlet_ul)
        while step is not None:
            end_ul, step = step[0], engine.track.next_conc_step(step[0])
        self._log.append(engine.t_s, EventKind.DOSE, event="bridge_start", bridge_volume_ul=end_ul - outlet_ul,
                         old_conc_mcg_per_ml=engine.tip_conc_now(),
                         new_conc_mcg_per_ml=engine.track.reservoir_conc_after(outlet_ul))

    def line_step_ahead(self) -> tuple[float, float] | None:
        """The next volume event of priming or a bridge: the next change of the tip concentration not taken yet, as
        (outlet volume, new concentration) (in priming, where drug reaches the tip). None: none ahead."""
        return self._engine.track.next_conc_step(self.line_mark[0])

    def line_ahead_ul(self, step: tuple[float, float]) -> float:
        """How much the outlet has still to push before the line step (outlet volume, new concentration) counts as
        reached (SR-PRM-003): a stronger drug when either the commanded or the reported volume reaches it (the earlier),
        a weaker one when both do (the later), so the tip never gets the stronger drug at the weaker one's rate."""
        engine = self._engine
        gained_ul = engine.lead_gained_ul(step[0])
        stronger = step[1] > self.line_mark[1]
        shift_ul = max(gained_ul, 0.0) if stronger else min(gained_ul, 0.0)
        return step[0] - engine.q_ul - shift_ul

    def line_step_due(self, volume_slack_ul: float) -> bool:
        """In priming or a bridge, take the change of the tip concentration the outlet has reached (within
        volume_slack_ul); whether there was one."""
        state, engine = self.state, self._engine
        if state is not PumpState.PRIMING and state is not PumpState.BRIDGE:
            return False
        step = self.line_step_ahead()
        if step is not None and self.line_ahead_ul(step) > volume_slack_ul:
            return False
        if step is not None:
            self.line_mark = step
            engine.line_taken_ul = step[0]
        if state is PumpState.PRIMING:
            self.fire("priming_done")  # drug reaches the tip
        elif step is None or engine.track.next_conc_step(step[0]) is None:
            self.fire("bridge_done")  # the reservoir's drug reaches the tip
        else:
            self.apply_delivery()  # another concentration reaches the tip: same tip dose, new volume rate
        return True

    # --- the rate ---
    def _target_rate_ul_per_h(self) -> float:
        state, now = self.state, self._engine.t_s
        due_flex_s, self.next_flex_s = self.next_flex_s, math.inf
        if state is PumpState.PRIMING:
            return self._config.priming_rate_ul_per_h
        if state not in THERAPY_STATES:
            return 0.0
        tip_mcg_per_h = 0.0
        if self.basal is not None:
            # a step due within TIME_EPS_S after now counts as reached, as the scheduler fires it
            at_s = due_flex_s if now < due_flex_s <= now + TIME_EPS_S else now
            rate_mcg_per_h, self.next_flex_s = self.basal.rate_and_next_change_s(at_s)
            tip_mcg_per_h += rate_mcg_per_h
        if self.bolus is not None:
            tip_mcg_per_h += self.bolus.rate_mcg_per_h
        # a bridge runs on the concentration of the last line step it took (it may take a step to a weaker drug
        # after the commanded volume has passed it: a slow pump), every other therapy on the tip's
        conc = self.line_mark[1] if state is PumpState.BRIDGE else self._engine.tip_conc_now()
        if conc <= 0:
            raise RuntimeError(f"therapy in state {state.value} with no drug at the catheter tip")
        return tip_mcg_per_h / conc * UL_PER_ML

    def apply_delivery(self) -> None:
        if self.state is PumpState.ALARM:
            return
        try:
            self._engine.set_rate(self._target_rate_ul_per_h())
        except ActuatorError as exc:
            self._alarms.raise_alarm(alarm_for_actuator_fault(exc.fault, True), f"rate command failed: {exc}")
        except Exception as exc:
            self._alarms.raise_alarm(AlarmName.FIRMWARE_FAULT, f"rate computation or command failed: {exc!r}")
