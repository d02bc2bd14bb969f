"""The scheduler: owns the event times and runs the firmware on the clock from event to event.

run_until_s sleeps on the clock from event to event (supervision ticks every supervision_period_s, bolus ends,
flex steps, periodic boluses, priming/bridge completion, reservoir levels, elective replacement), so virtual time
costs one status read per tick plus one actuator command per rate change. The ticks before the next other event
(brought forward by margins far beyond the loop's tolerances) run one after the other without asking again
what else is due, since nothing else can be until a tick raises an alarm: Supervisor.run_ticks, the same loop that
runs the general loop's single tick.
"""
from __future__ import annotations

import math
from dataclasses import replace
from collections.abc import Callable

from firmware_sim.clock import TIME_EPS_S, Clock
from firmware_sim.pump.alarms import AlarmName, AlarmSet
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.engine import DeliveryEngine
from firmware_sim.pump.programs import PeriodicBolus
from firmware_sim.pump.states import PumpState
from firmware_sim.pump.supervision import Supervisor
from firmware_sim.pump.therapy_control import THERAPY_STATES, TherapyControl
from firmware_sim.units import S_PER_H

VOLUME_EPS_UL = 1e-9
QUIET_MARGIN_S = 1e-3
"""Ticks run one after the other up to this far before any timed event (1000x TIME_EPS_S) ..."""
QUIET_MARGIN_UL = 1e-3
"""... and this far before any volume event (far beyond VOLUME_EPS_UL and float drift of the reservoir)."""
LINE_READ_PERIOD_S = 60.0
"""In priming and bridging the actuator is read at least this often (extra status reads between the supervision
ticks, splitting the period evenly): each report may bring the line step forward or hold it back (SR-PRM-003), so a
long supervision period would let a fast pump push drug at the priming rate for most of a period."""


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
        self._line_read_step_s = config.supervision_period_s / math.ceil(
            config.supervision_period_s / LINE_READ_PERIOD_S - 1e-9)
        """The supervision period split evenly into reads at most LINE_READ_PERIOD_S apart."""
        self._line_read_s: float | None = None
        """The next extra status read of priming or bridging (inf: none before the next tick; None: not planned)."""

    def run_until_s(self, t_s: float) -> None:
        """Advance to t_s using only the clock, handling every event on the way."""
        self.process_due()
        engine = self._engine
        while True:
            if self.next_tick_s < t_s:
                self._run_ticks(min(t_s, self._quiet_until_s()), t_s - TIME_EPS_S)
                if engine.t_s >= t_s - TIME_EPS_S:
                    return
            target_s = min(t_s, self._next_event_s())
            self._clock.sleep_until_s(target_s)
            engine.advance_to(self._clock.now_s())
            self.process_due()
            if engine.t_s >= t_s - TIME_EPS_S:
                return

    def sync(self) -> None:
        self.run_until_s(self._clock.now_s())

    def _next_event_s(self) -> float:
        return max(min(self.next_tick_s, self._next_event_besides_ticks_s()), self._engine.t_s)

    def _next_event_besides_ticks_s(self, margin_s: float = 0.0, margin_ul: float = 0.0) -> float:
        """When the earliest scheduled event other than a supervision tick falls due: priming or bridge boundary
        (brought forward by what the pump's reports show it ran ahead) and reservoir levels (at the commanded
        rate), bolus end, periodic bolus, flex step, elective replacement. With margins, brought forward by
        margin_s, and volume events also by margin_ul of flow (the bulk tick path stops that far before them)."""
        engine, therapy = self._engine, self._therapy
        state = therapy.state
        rate, t_s, earliest_s = engine.rate_ul_per_h, engine.t_s, math.inf
        if rate > 0:  # volume events at the commanded rate: t_s + (remaining_ul - margin_ul) / rate - margin_s
            if state is PumpState.PRIMING or state is PumpState.BRIDGE:
                step = therapy.line_step_ahead()
                if step is not None:
                    ahead_ul = therapy.line_ahead_ul(step)
                    earliest_s = min(earliest_s, t_s + (ahead_ul - margin_ul) / rate * S_PER_H - margin_s)
            volume_ul = engine.reservoir.volume_ul
            if AlarmName.LOW_RESERVOIR not in self._alarms:
                above_low_ul = volume_ul - self._config.low_reservoir_threshold_ul
                earliest_s = min(earliest_s, t_s + (above_low_ul - margin_ul) / rate * S_PER_H - margin_s)
            earliest_s = min(earliest_s, t_s + (volume_ul - margin_ul) / rate * S_PER_H - margin_s)
        if therapy.bolus is not None:
            earliest_s = min(earliest_s, therapy.bolus.end_s - margin_s)
        if therapy.periodic is not None:
            earliest_s = min(earliest_s, therapy.periodic.next_s - margin_s)
        if state in THERAPY_STATES:
            earliest_s = min(earliest_s, therapy.next_flex_s - margin_s)
        if (state is PumpState.PRIMING or state is PumpState.BRIDGE) and self._line_read_s is not None:
            earliest_s = min(earliest_s, self._line_read_s - margin_s)
        if self._config.elective_replacement_at_s is not None and not self._eri_raised:
            earliest_s = min(earliest_s, self._config.elective_replacement_at_s - margin_s)
        return earliest_s

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
        state = therapy.state
        if state is PumpState.PRIMING or state is PumpState.BRIDGE:
            if therapy.line_step_due(volume_slack_ul):
                return True
            if self._line_read_due(now):
                return True
        else:
            self._line_read_s = None
        if self._supervisor.check_reservoir(volume_slack_ul):
            return True
        if therapy.bolus is not None and now >= therapy.bolus.end_s - TIME_EPS_S:
            therapy.end_bolus()
            return True
        periodic = therapy.periodic
        if periodic is not None and now >= periodic.next_s - TIME_EPS_S:
            therapy.periodic = replace(periodic, next_s=periodic.next_s + periodic.interval_h * S_PER_H)
            self._run_periodic_bolus(periodic)
            return True
        if state in THERAPY_STATES and now >= therapy.next_flex_s - TIME_EPS_S:
            therapy.apply_delivery()
            return True
        eri_s = self._config.elective_replacement_at_s
        if eri_s is not None and not self._eri_raised and now >= eri_s - TIME_EPS_S:
            self._eri_raised = True
            self._alarms.raise_alarm(AlarmName.ELECTIVE_REPLACEMENT, "battery elective replacement time reached")
            return True
        if now >= self.next_tick_s - TIME_EPS_S:
            self._tick(now)
            return True
        return False

    def _line_read_due(self, now: float) -> bool:
        """Read the actuator now if an extra read of priming or bridging is due (and plan the next one, on the even
        split of the supervision period before the next tick); whether one was read."""
        # a read that falls due with the tick (a wall clock ran late) is left to the tick: one read per moment
        due = self._line_read_s is not None and self._line_read_s - TIME_EPS_S <= now < self.next_tick_s - TIME_EPS_S
        if due:
            self._supervisor.tick(now)
        if due or self._line_read_s is None:
            step_s = self._line_read_step_s
            before_tick = math.floor((self.next_tick_s - now) / step_s - 1e-9)
            self._line_read_s = self.next_tick_s - before_tick * step_s if before_tick >= 1 else math.inf
        return due

    def _tick(self, now: float) -> bool:
        """The supervision tick due now, and the next one scheduled; whether it raised an alarm."""
        self._line_read_s = None
        raised = self._supervisor.tick(now)
        period = self._config.supervision_period_s
        next_s, late_s = self.next_tick_s + period, now + period / 2
        if next_s < late_s:  # more than half a period late (a wall clock): the grid's next tick at least half a
            next_s += math.ceil((late_s - next_s) / period) * period  # period on (the runner samples on the grid)
        self.next_tick_s = next_s
        return raised

    def _run_ticks(self, limit_s: float, end_s: float) -> None:
        """The ticks before limit_s, while nothing else can fall due (up to the first tick at or after end_s, the end
        of run_until_s, and up to the first tick that raises an alarm, after which the state may have changed).
        Each is the tick of the general loop (the clock at the tick, so the next one is a period on, as _tick
        schedules it); a clock another party moved on past the tick is left to the general loop."""
        tick_s = self.next_tick_s
        if not self._engine.t_s < tick_s:
            return
        clock = self._clock
        self.next_tick_s = self._supervisor.run_ticks(tick_s, limit_s, end_s, self._config.supervision_period_s,
                                                      clock.sleep_until_s, clock.now_s)[0]

    def _quiet_until_s(self) -> float:
        """Before this time nothing but supervision ticks can fall due (with margins far beyond the loop's
        tolerances); the horizon holds until the state, rate, alarms or programs change. -inf in priming and
        bridging: each tick's report may bring the end of the line step forward (a pump running fast), so the
        general loop runs them one at a time."""
        state = self._therapy.state
        if state is PumpState.PRIMING or state is PumpState.BRIDGE:
            return -math.inf
        return self._next_event_besides_ticks_s(QUIET_MARGIN_S, QUIET_MARGIN_UL)

