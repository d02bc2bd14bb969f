"""What the gate judges a firmware command on, and the log of its decisions: the state rule, the line ahead, the titration reference and the
planned delivery of the next two windows (with periodic boluses stacked at every run when asked)."""
from __future__ import annotations

import math
from typing import Sequence

from firmware_sim.event_log import EventKind
from firmware_sim.pump.programs import ActiveBolus, BasalProgram, PeriodicBolus
from firmware_sim.pump.runtime import FirmwareRuntime
from firmware_sim.pump.stacking import periodic_stack
from firmware_sim.pump.states import PumpState
from firmware_sim.safety import gate
from firmware_sim.safety.decision import Decision, Finding
from firmware_sim.safety.therapy import PumpLine, bolus_line_findings
from firmware_sim.safety.window import RatePiece, peak_rate_mcg_per_h
from firmware_sim.units import S_PER_H, UL_PER_ML


class GateContextBuilder(FirmwareRuntime):
    """The firmware's gate inputs (PumpFirmware's commands build their GateContext here)."""

    def _state_findings(self, trigger: str) -> list[Finding]:
        if trigger in self._machine.get_triggers(self.state):
            return []
        if trigger == "start_bolus" and self.state is PumpState.BOLUS:
            return [Finding("SR-BOL-003", "a bolus is already running: one bolus at a time")]
        if trigger == "refill":
            return [Finding("SR-RES-006", f"refill is not allowed in state {self.state.value} (stop or suspend first)")]
        return [Finding("SR-SUP-003", f"{trigger} is not allowed in state {self.state.value}")]

    def _therapy_trigger(self) -> str:
        return "change_program" if self.state is PumpState.CONTINUOUS else "start_therapy"

    def _line(self) -> PumpLine:
        engine = self._engine
        return PumpLine(engine.line_conc_ahead(), engine.reservoir.volume_ul)

    def _bolus_line_findings(self, kind: str) -> list[Finding]:
        """Line prerequisites of a bolus (none while a bolus runs: the state rule refuses a second one)."""
        if self.state is PumpState.BOLUS:
            return []
        return bolus_line_findings(self._line(), kind == "clinician", self._limits)

    def _titration(self) -> gate.TitrationContext:
        return gate.TitrationContext(self._config.indication, self._reference_daily_mcg, self._last_change_s)

    def _remember_programming(self, daily_dose_mcg: float) -> None:
        """An approved therapy (basal plus periodic) becomes the titration reference; an increase starts the
        titration interval."""
        if self._reference_daily_mcg is None or daily_dose_mcg > self._reference_daily_mcg:
            self._last_change_s = self.now_s
        self._reference_daily_mcg = daily_dose_mcg

    def _planned(self, basal: BasalProgram | None, bolus: ActiveBolus | None,
                 periodic: PeriodicBolus | None) -> tuple[RatePiece, ...]:
        start, end = self.now_s, self.now_s + 2 * self._window_s
        pieces = list(basal.planned(start, end)) if basal is not None else []
        pieces += bolus.planned(start) if bolus is not None else []
        pieces += periodic.planned(start, end) if periodic is not None else []
        return tuple(pieces)

    def _context(self, findings: Sequence[Finding], bolus: ActiveBolus | None, basal: BasalProgram | None = None,
                 periodic: PeriodicBolus | None = None, with_periodic: bool = True,
                 basal_runs: bool | None = None, stack_periodic: bool = False) -> gate.GateContext:
        """stack_periodic: a therapy command, judged also on its periodic boluses at every run (stacking.py)."""
        if basal is None and (basal_runs if basal_runs is not None else self.state in (
                PumpState.CONTINUOUS, PumpState.BOLUS, PumpState.BRIDGE)):
            basal = self._basal
        periodic = periodic if periodic is not None else (self._periodic if with_periodic else None)
        running_bolus = self._bolus if bolus is None else bolus
        line = self._line()
        if findings:
            return gate.GateContext(self.now_s, self._engine.history(self._window_s), (), 0.0, 0.0, 0.0,
                                    tuple(findings), line)
        planned = self._planned(basal, running_bolus, periodic)
        peak_mcg_per_h = max(basal.peak_rate_mcg_per_h if basal is not None else 0.0, peak_rate_mcg_per_h(planned))
        stack = periodic_stack(basal, periodic) if stack_periodic and periodic is not None else None
        if stack is not None:
            peak_mcg_per_h = max(peak_mcg_per_h, stack.rate_mcg_per_h)
        conc = line.lowest_conc_mcg_per_ml  # the bridge runs on every concentration ahead in turn
        peak_ul_per_h = peak_mcg_per_h / conc * UL_PER_ML if conc > 0 else (math.inf if peak_mcg_per_h > 0 else 0.0)
        return gate.GateContext(self.now_s, self._engine.history(self._window_s), planned, line.tip_conc_mcg_per_ml,
                                self._config.max_actuator_rate_ul_per_h, peak_ul_per_h, (), line, stack)

    def _remember_ptm_press(self, t_s: float) -> None:
        """Keep the presses the PTM gate can still count (the last 24 h window) and always the last one (lockout)."""
        since_s = t_s - self._limits.window_h * S_PER_H
        self._ptm_times = [p for p in self._ptm_times if p > since_s] + [t_s]

    def _record(self, decision: Decision, **fields: object) -> bool:
        """Log the gate's decision on a command; whether it was approved."""
        self._log.append(self.now_s, EventKind.DECISION, **decision.to_record(), **fields)
        return decision.approved
