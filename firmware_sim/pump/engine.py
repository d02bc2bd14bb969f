"""Delivery bookkeeping and the only code that talks to the actuator.

Tracks the commanded outlet volume q_ul, the reservoir, the tip dose (via plug flow), and the delivered-dose history
the gate and the after-the-fact dose check use. Between events the rate is constant: q_ul and the reservoir are
computed from the segment's start (the last rate command or refill) in one step, whatever the number of advance_to
calls in between.

Two coordinates place the drug in the line. Planning (what the line holds ahead) follows the commanded volume
(track), moved on to where priming or a bridge took a step of the line early (line_taken_ul: a pump running fast
brought the drug there first, fill_leads.py). The delivered-dose history follows the actuator-reported volume
(delivered_track, by pushed_ul: the reported volume's forward steps added up, so a counter that went back pushes
nothing; each fill placed where the outlet stood when it was made), so drug that a pump running fast pushed past
the tip counts where it went: at each supervision tick the plug-flow dose over the reported step; between ticks the
commanded volume since the last tick stands in. The delivered profile (profile_builder) places drug the same way.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from firmware_sim.clock import Clock
from firmware_sim.event_log import EventKind, EventLog
from firmware_sim.ports import Actuator, ActuatorError, ActuatorStatus
from firmware_sim.pump.concentration import ConcentrationTrack
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.delivered_history import DeliveredHistory
from firmware_sim.pump.fill_leads import FillLeads
from firmware_sim.pump.reservoir import Reservoir
from firmware_sim.safety.window import DoseHistory
from firmware_sim.units import S_PER_H, UL_PER_ML
from firmware_sim.pump.actuator_faults import ActuatorFault
from firmware_sim.pump.supervision_thresholds import TickSupervision

RATE_EPS_UL_PER_H = 1e-12
TIP_LOOKAHEAD_UL = 1e-6


class DeliveryEngine:
    def __init__(self, config: FirmwareConfig, actuator: Actuator, clock: Clock, log: EventLog,
                 history_span_s: float) -> None:
        self.config = config
        self.actuator = actuator
        self.clock = clock
        self.log = log
        self.track = ConcentrationTrack(config.dead_volume_ul)
        """The line by commanded outlet volume (q_ul): planning."""
        self.delivered_track = ConcentrationTrack(config.dead_volume_ul)
        """The line by pushed_ul: the delivered-dose history."""
        self._fill_leads = FillLeads(config.dead_volume_ul, config.delivery_tolerance_floor_ul)
        self.line_taken_ul = -math.inf
        """The outlet volume of the last step of the line priming or a bridge took (they may take it before the
        commanded volume reaches it): the line ahead is planned from planning_outlet_ul."""
        self._reservoir = Reservoir(config.reservoir_capacity_ul)
        self.t_s = clock.now_s()
        self.q_ul = 0.0
        self.rate_ul_per_h = 0.0
        self.reported_ul = 0.0
        """Actuator-reported volume at the last committed tick (since the first status read)."""
        self.pushed_ul = 0.0
        """The forward steps of the actuator-reported volume up to the last committed tick, added up."""
        self._baseline_ul: float | None = None
        self.delivered = DeliveredHistory(self.t_s, history_span_s, history_span_s / 2)
        self._segment = (self.t_s, 0.0, 0.0, 0.0)
        """(t_s, q_ul, reservoir volume_ul, drawn_total_ul) where the current rate began: the reservoir at t_s is
        computed from it when read (reservoir), q_ul at every advance."""
        self._tick_q_ul = 0.0
        """Commanded volume at the last committed tick."""
        self._tip_plug = (math.inf, -math.inf, 0.0)
        """delivered_track.tip_plug of the last tick interval (a cache: reset at each fill)."""
        self._append_status = log.status_appender()
        self.window_start_s = self.t_s
        self.window_q0_ul = 0.0
        """Commanded volume q_ul at the start of the supervision window."""
        self.window_reported0_ul = 0.0
        """Reported volume at the start of the supervision window."""

    # --- time and accounting ---
    def advance_to(self, t_s: float) -> None:
        """Commanded volume at t_s, from the segment's start at the constant rate."""
        if t_s <= self.t_s:
            return
        self.t_s = t_s
        if self.rate_ul_per_h > 0:
            t0_s, q0_ul, _volume0_ul, _drawn0_ul = self._segment
            self.q_ul = q0_ul + self.rate_ul_per_h * (t_s - t0_s) / S_PER_H

    @property
    def reservoir(self) -> Reservoir:
        """The reservoir at t_s: what the segment's start held, less what the constant rate drew since."""
        reservoir = self._reservoir
        if self.rate_ul_per_h > 0:
            t0_s, _q0_ul, volume0_ul, drawn0_ul = self._segment
            dq_ul = self.rate_ul_per_h * (self.t_s - t0_s) / S_PER_H
            reservoir.volume_ul, reservoir.drawn_total_ul = volume0_ul - dq_ul, drawn0_ul + dq_ul
        return reservoir

    def _begin_segment(self, reservoir: Reservoir) -> None:
        """A new rate (or fill) from t_s on; reservoir: the reservoir at t_s."""
        self._segment = (self.t_s, self.q_ul, reservoir.volume_ul, reservoir.drawn_total_ul)

    def _pending_mcg(self) -> float:
        """Dose pushed to the tip since the last committed tick, as commanded (from the reported volume then)."""
        pending_ul, pushed_ul = self.q_ul - self._tick_q_ul, self.pushed_ul
        return self.delivered_track.tip_dose_mcg(pushed_ul, pushed_ul + pending_ul) if pending_ul > 0 else 0.0

    def refill(self, volume_ul: float, conc_mcg_per_ml: float) -> float:
        """The reservoir holds volume_ul at conc_mcg_per_ml from the outlet volume now on; the estimated residual
        it replaced."""
        reservoir = self.reservoir
        replaced_ul = reservoir.refill(volume_ul, conc_mcg_per_ml)
        self.track.fill(self.q_ul, conc_mcg_per_ml)
        # the outlet as of the last report plus what was commanded since; when the pump moved less than that, the
        # previous fill's drug (placed the same way) is left no length in the line
        delivered_track = self.delivered_track
        delivered_fill_ul = max(self.pushed_ul + self.q_ul - self._tick_q_ul, delivered_track.last_fill_ul)
        delivered_track.fill(delivered_fill_ul, conc_mcg_per_ml)
        self._fill_leads.record(self.q_ul, delivered_fill_ul - self.q_ul)
        self._tip_plug = (math.inf, -math.inf, 0.0)
        self._begin_segment(reservoir)
        return replaced_ul

    def lead_gained_ul(self, boundary_ul: float) -> float:
        """How far the reported outlet (at the last tick) has run ahead of the commanded one (negative: fallen
        behind) since the fill that reaches the tip at boundary_ul was made, beyond the report's resolution."""
        return self._fill_leads.gained_ul(boundary_ul, self.pushed_ul - self._tick_q_ul)

    @property
    def planning_outlet_ul(self) -> float:
        """Where the line ahead is planned from: the commanded volume, or the line step taken ahead of it."""
        return max(self.q_ul, self.line_taken_ul)

    def tip_conc_now(self) -> float:
        """Concentration of the fluid now leaving the tip (the parcel pushed next). Looks TIP_LOOKAHEAD_UL ahead so
        that a boundary the run loop treats as reached (it allows a microsecond of flow) counts as passed."""
        return self.track.tip_conc_after(self.planning_outlet_ul + TIP_LOOKAHEAD_UL)

    def line_conc_ahead(self) -> tuple[float, ...]:
        """Concentrations that will leave the tip from now on (the parcel tip_conc_now names first)."""
        return self.track.conc_ahead(self.planning_outlet_ul + TIP_LOOKAHEAD_UL)

    # --- actuator ---
    def _ensure_baseline(self) -> None:
        if self._baseline_ul is None:
            self._baseline_ul = _finite_volume(self.actuator.read_status()).delivered_ul

    def set_rate(self, rate_ul_per_h: float) -> None:
        """Command the actuator only when the rate changes. ActuatorError propagates to the caller."""
        if abs(rate_ul_per_h - self.rate_ul_per_h) <= RATE_EPS_UL_PER_H * max(1.0, rate_ul_per_h):
            return
        self._ensure_baseline()
        if rate_ul_per_h > 0:
            self.actuator.command_rate_ul_per_h(rate_ul_per_h)
        else:
            self.actuator.stop()
        self.advance_to(self.clock.now_s())  # a wall clock ran on through the exchanges: the old rate held till now
        reservoir = self.reservoir
        self.rate_ul_per_h = rate_ul_per_h
        self._begin_segment(reservoir)
        self.log.append(self.t_s, EventKind.RATE_COMMAND, rate_ul_per_h=rate_ul_per_h, q_ul=self.q_ul)

    def force_stop(self) -> Exception | None:
        """Stop at once; the firmware counts delivery as stopped even if the actuator does not answer."""
        error = None
        if self.rate_ul_per_h != 0.0:
            reservoir = self.reservoir
            self.rate_ul_per_h = 0.0
            self._begin_segment(reservoir)
            self.log.append(self.t_s, EventKind.RATE_COMMAND, rate_ul_per_h=0.0, q_ul=self.q_ul)
        try:
            self.actuator.stop()
        except Exception as exc:  # the alarm is already latched; record why the stop failed
            error = exc
        return error

    # --- supervision ticks ---
    def run_ticks(self, tick_s: float, limit_s: float, end_s: float, period_s: float,
                  sleep_until_s: Callable[[float], None], now_s: Callable[[], float],
                  supervision: TickSupervision) -> tuple[float, bool]:
        """Supervision ticks at tick_s, tick_s + period_s, ... before limit_s, the clock moved to each first
        (sleep_until_s). Each advances the commanded volume, reads the actuator, commits the interval since the last
        tick to the delivered history (the commanded tip dose scaled by the report) and the log, and restarts the
        supervision window when due. A read that is plainly quiet (no fault, the deviation over the window within
        the tolerance, the 24 h dose bound at most the breach level: supervision.tick_alarms finds nothing there) is
        settled here; every other read goes to supervision.check_read, and a failed read (ActuatorError, a volume
        that is not a finite number, or any other error of an adapter: nothing is committed) to
        supervision.read_failed. Stops after the first tick at or after end_s and after the first that raises an
        alarm (the state may have changed), and before a tick the clock has already passed (another party moved it
        on: not run). Returns the time of the next tick and whether the last one raised an alarm.

        One loop for every actuator, whether the scheduler runs one tick or a quiet stretch: the engine's
        bookkeeping is held in locals while the loop runs and stored back before anything else can read it."""
        th = supervision.thresholds
        restart_s, fraction, floor_ul, breach_mcg = (th.window_restart_s, th.tolerance_fraction,
                                                     th.tolerance_floor_ul, th.dose_breach_mcg)
        read_status, track, delivered, append_status = self.actuator.read_status, self.delivered_track, \
            self.delivered, self._append_status
        commit = delivered.commit
        rate_ul_per_h, (t0_s, q0_ul, _volume0_ul, _drawn0_ul) = self.rate_ul_per_h, self._segment
        t_s, q_ul, tick_q_ul, last_total_ul, pushed_ul = self.t_s, self.q_ul, self._tick_q_ul, self.reported_ul, \
            self.pushed_ul
        lo_ul, hi_ul, conc = self._tip_plug
        baseline_ul = self._baseline_ul
        window_start_s, window_q0_ul, window_reported0_ul = self.window_start_s, self.window_q0_ul, \
            self.window_reported0_ul

        def store() -> None:
            self.t_s, self.q_ul, self._tick_q_ul, self.reported_ul, self.pushed_ul = t_s, q_ul, tick_q_ul, \
                last_total_ul, pushed_ul

        while tick_s < limit_s:
            sleep_until_s(tick_s)
            if now_s() != tick_s:
                break
            if tick_s > t_s:  # advance_to(tick_s)
                t_s = tick_s
                if rate_ul_per_h > 0:
                    q_ul = q0_ul + rate_ul_per_h * (t_s - t0_s) / S_PER_H
            try:
                if baseline_ul is None:
                    self._ensure_baseline()
                    baseline_ul = self._baseline_ul
                status = read_status()
                delivered_ul = status.delivered_ul
                if delivered_ul - delivered_ul != 0.0:  # inf or nan
                    _finite_volume(status)
            except Exception as exc:
                store()
                supervision.read_failed(exc)
                return tick_s + period_s, True
            total_ul = delivered_ul - baseline_ul  # type: ignore[operator]
            step_ul, mcg = total_ul - last_total_ul, 0.0
            if step_ul > 0.0:  # the tip dose of the interval: the plug-flow dose over the reported step
                if not lo_ul <= pushed_ul < hi_ul:
                    lo_ul, hi_ul, conc = self._tip_plug = track.tip_plug(pushed_ul)
                if pushed_ul + step_ul <= hi_ul:  # in one fill's plug
                    mcg = step_ul * conc / UL_PER_ML
                else:
                    mcg = track.tip_dose_mcg(pushed_ul, pushed_ul + step_ul)
                pushed_ul += step_ul
            commit(t_s, delivered.last_cum_mcg + mcg)
            last_total_ul, tick_q_ul = total_ul, q_ul
            append_status((t_s, total_ul, q_ul))
            commanded_ul, reported_ul, elapsed_s = q_ul - window_q0_ul, total_ul - window_reported0_ul, \
                t_s - window_start_s
            if elapsed_s >= restart_s:  # the window restarts here; this read is still judged over the one ending
                store()
                self.restart_window()
                window_start_s, window_q0_ul, window_reported0_ul = t_s, q_ul, total_ul
            allowed_ul = fraction * commanded_ul  # supervision.allowed_deviation_ul, inlined
            if allowed_ul < floor_ul:
                allowed_ul = floor_ul
            if not (-allowed_ul <= reported_ul - commanded_ul <= allowed_ul and not status.fault and
                    delivered.last_cum_mcg - delivered.window_floor_mcg <= breach_mcg):
                store()
                if supervision.check_read(status, commanded_ul, reported_ul, elapsed_s):
                    return tick_s + period_s, True
            if tick_s >= end_s:
                store()
                return tick_s + period_s, False
            tick_s += period_s
        store()
        return tick_s, False

    def restart_window(self) -> None:
        """The supervision window starts again now (after an alarm is cleared)."""
        self.window_start_s = self.t_s
        self.window_q0_ul = self.q_ul
        self.window_reported0_ul = self.reported_ul

    def delivered_in_last_s(self, span_s: float) -> float:
        """Reported dose at the tip over the span ending at the last committed tick."""
        return self.delivered.dose_in_last_s(span_s)

    def history(self, span_s: float | None = None) -> DoseHistory:
        """Delivered history up to now (committed ticks plus commanded since the last tick).

        With span_s, only the points from the last one before now - span_s on (what a rolling window of
        span_s needs: the gate's window arithmetic gives the same result on this tail).
        """
        return self.delivered.tail(self.t_s, self._pending_mcg(), span_s)


def _finite_volume(status: ActuatorStatus) -> ActuatorStatus:
    """A delivered volume that is not a finite number is an actuator fault, never a number supervision computes
    with [SR-HIL-005]: whatever adapter sits in front, the firmware does not trust it."""
    if not math.isfinite(status.delivered_ul):
        raise ActuatorError(
            ActuatorFault.ACTUATOR_FAULT,
            f"actuator reported a delivered volume of {status.delivered_ul!r} uL, not a finite number",
        )
    return status
