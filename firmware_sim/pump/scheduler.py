"""The scheduler: owns the event times and runs the firmware on the clock from event to event.

run_until_s sleeps on the clock from event to event (supervision ticks every supervision_period_s, bolus ends,
flex steps, periodic boluses, priming/bridge completion, reservoir levels, elective replacement), so virtual time
costs one status read per tick plus one actuator command per rate change.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from firmware_sim.clock import TIME_EPS_S, Clock
from firmware_sim.pump.alarms import AlarmName, AlarmSet
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.engine import DeliveryEngine
from firmware_sim.pump.programs import PeriodicBolus
from firmware_sim.pump.states import PumpState
from firmware_sim.pump.supervision import Supervisor
from firmware_sim.pump.therapy_control import THERAPY_STATES, TherapyControl
from firmware_sim.pump.tick_batch import plan_ticks, quiet_prefix
from firmware_sim.units import S_PER_H

VOLUME_EPS_UL = 1e-9
QUIET_MARGIN_S = 1e-3
"""The bulk path stops this far before any timed event (1000x TIME_EPS_S)."""
QUIET_MARGIN_UL = 1e-3
"""... and this far before any volume event (far beyond VOLUME_EPS_UL and float drift of the reservoir)."""
BULK_TICKS_MAX = 2048
"""Ticks planned at once by the bulk path."""


class Scheduler:
    def __init__(self, config: FirmwareConfig, clock: Clock, engine: DeliveryEngine, therapy: TherapyControl,
                 alarms: AlarmSet, supervisor: Supervisor, run_periodic_bolus: Callable[[PeriodicBolus], None]) -> None:
        self._config = config
        self._clock = clock
        self._engine = engine
        self._therapy = therapy
        self._alarms = alarms
        self._supervisor = supervisor
        self._run_periodic_bolus = run_periodic_bolus
        self._eri_raised = False
        self.next_tick_s = engine.t_s + config.supervision_period_s

    def run_until_s(self, t_s: float) -> None:
        """Advance to t_s using only the clock, handling every event on the way."""
        self.process_due()
        while True:
            if self.next_tick_s < t_s:
                self._run_quiet_ticks(t_s)
                if self._engine.t_s >= t_s - TIME_EPS_S:
                    return
            target_s = min(t_s, self._next_event_s())
            self._clock.sleep_until_s(target_s)
            self._engine.advance_to(self._clock.now_s())
            self.process_due()
            if self._engine.t_s >= t_s - TIME_EPS_S:
                return

    def sync(self) -> None:
        self.run_until_s(self._clock.now_s())

    def _next_event_s(self) -> float:
        return max(min(self.next_tick_s, self._next_event_besides_ticks_s()), self._engine.t_s)

    def _next_event_besides_ticks_s(self, margin_s: float = 0.0, margin_ul: float = 0.0) -> float:
        """When the earliest scheduled event other than a supervision tick falls due: priming or bridge boundary
        and reservoir levels (reached at the commanded rate), bolus end, periodic bolus, flex step, elective
        replacement. With margins, brought forward by margin_s, and volume events also by margin_ul of flow
        (the bulk tick path stops that far before them)."""
        engine, therapy = self._engine, self._therapy
        state = therapy.state
        rate, t_s, candidates = engine.rate_ul_per_h, engine.t_s, [math.inf]
        if rate > 0:
            volumes_ul = []
            if state is PumpState.PRIMING or state is PumpState.BRIDGE:
                boundary = therapy.line_boundary_ul()
                if boundary is not None:
                    volumes_ul.append(boundary - engine.q_ul)
            if AlarmName.LOW_RESERVOIR not in self._alarms:
                volumes_ul.append(engine.reservoir.volume_ul - self._config.low_reservoir_threshold_ul)
            volumes_ul.append(engine.reservoir.volume_ul)
            candidates += [t_s + (remaining_ul - margin_ul) / rate * S_PER_H - margin_s for remaining_ul in volumes_ul]
        if therapy.bolus is not None:
            candidates.append(therapy.bolus.end_s - margin_s)
        if therapy.periodic is not None:
            candidates.append(therapy.periodic.next_s - margin_s)
        if state in THERAPY_STATES:
            candidates.append(therapy.next_flex_s - margin_s)
        if self._config.elective_replacement_at_s is not None and not self._eri_raised:
            candidates.append(self._config.elective_replacement_at_s - margin_s)
        return min(candidates)

    def process_due(self) -> None:
        for _ in range(32):
            if not self._process_one_due():
                return
        raise RuntimeError("firmware event processing did not settle")

    def _process_one_due(self) -> bool:
        engine, therapy = self._engine, self._therapy
        now = engine.t_s
        # a volume counts as reached within a microsecond of flow (plus float noise)
        volume_slack_ul = engine.rate_ul_per_h * TIME_EPS_S / S_PER_H + VOLUME_EPS_UL
        if therapy.line_step_due(volume_slack_ul):
            return True
        if self._supervisor.check_reservoir(volume_slack_ul):
            return True
        if therapy.bolus is not None and now >= therapy.bolus.end_s - TIME_EPS_S:
            therapy.end_bolus()
            return True
        periodic = therapy.periodic
        if periodic is not None and now >= periodic.next_s - TIME_EPS_S:
            therapy.periodic = PeriodicBolus(periodic.dose_mcg, periodic.duration_min, periodic.interval_h,
                                             periodic.next_s + periodic.interval_h * S_PER_H)
            self._run_periodic_bolus(periodic)
            return True
        if therapy.state in THERAPY_STATES and now >= therapy.next_flex_s - TIME_EPS_S:
            therapy.apply_delivery()
            return True
        eri_s = self._config.elective_replacement_at_s
        if eri_s is not None and not self._eri_raised and now >= eri_s - TIME_EPS_S:
            self._eri_raised = True
            self._alarms.raise_alarm(AlarmName.ELECTIVE_REPLACEMENT, "battery elective replacement time reached")
            return True
        if now >= self.next_tick_s - TIME_EPS_S:
            self._supervisor.tick()
            period = self._config.supervision_period_s
            self.next_tick_s = max(self.next_tick_s + period, now + period / 2)
            return True
        return False

    # --- the bulk path of quiet ticks ---
    def _run_quiet_ticks(self, t_s: float) -> None:
        """The bulk path of run_until_s: the supervision ticks before t_s while nothing else can fall due.

        Only for an actuator that previews its reads (ports.StatusPreview). Each stretch is planned from the
        preview (tick_batch.plan_ticks); the ticks up to the first that raises an alarm, or that the plan does
        not cover, are taken at once: the clock is moved to the last of them, the actuator counts the reads
        and the engine commits the bookkeeping. The general loop goes on from there (and, if another party
        moved the clock on past that tick meanwhile, finds it ahead, as after any late wake-up).
        """
        engine, clock = self._engine, self._clock
        preview_reads = getattr(engine.actuator, "preview_reads", None)
        if preview_reads is None or engine._baseline_ul is None:
            return
        period_s, end_s = self._config.supervision_period_s, t_s - TIME_EPS_S
        limit_s = min(t_s, self._quiet_until_s())
        thresholds = self._supervisor.thresholds
        while True:
            tick_s = self.next_tick_s
            if not (engine.t_s < tick_s < limit_s and clock.now_s() <= tick_s):
                return
            times_s = _tick_times_s(tick_s, period_s, limit_s, end_s)
            try:
                preview = preview_reads(times_s[:-1])
            except Exception:  # an actuator that cannot preview now is read tick by tick, as any other
                return
            plan = plan_ticks(engine, times_s[:-1], preview.delivered_ul, thresholds.window_h * S_PER_H,
                              thresholds.dose_breach_mcg)
            window = (engine.window_start_s, engine.window_q0_ul, engine.window_reported0_ul)
            n, window = quiet_prefix(plan, window, thresholds.window_restart_s, thresholds.is_quiet)
            if n == 0:
                return
            last_s = float(times_s[n - 1])
            clock.sleep_until_s(last_s)
            preview.take(n)
            engine.commit_ticks(plan, n, window)
            self.next_tick_s = float(times_s[n])
            if n < len(times_s) - 1 or last_s >= end_s:
                return

    def _quiet_until_s(self) -> float:
        """Before this time nothing but supervision ticks can fall due (with margins far beyond the loop's
        tolerances); the horizon holds until the state, rate, alarms or programs change. -inf in priming or
        bridging without a boundary ahead or without flow (the general loop settles those)."""
        state = self._therapy.state
        if (state is PumpState.PRIMING or state is PumpState.BRIDGE) and (
                self._engine.rate_ul_per_h <= 0 or self._therapy.line_boundary_ul() is None):
            return -math.inf
        return self._next_event_besides_ticks_s(QUIET_MARGIN_S, QUIET_MARGIN_UL)


def _tick_times_s(tick_s: float, period_s: float, limit_s: float, end_s: float) -> np.ndarray:
    """The ticks from tick_s on before limit_s (at most BULK_TICKS_MAX, ending with the first at or after end_s),
    and the tick after the last: tick_s + period_s + period_s ..., summed one period at a time as the general
    loop steps next_tick_s."""
    count = min(BULK_TICKS_MAX, int((limit_s - tick_s) / period_s) + 1)
    times_s = np.full(count + 1, period_s)
    times_s[0] = tick_s
    np.add.accumulate(times_s, out=times_s)
    count = min(int(times_s.searchsorted(limit_s)), int(times_s.searchsorted(end_s)) + 1, count)
    return times_s[:count + 1]
