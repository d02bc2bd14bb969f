"""Delivery bookkeeping and the only code that talks to the actuator.

Tracks the commanded outlet volume q_ul, the reservoir, the tip dose (via plug flow), and the
delivered-dose history the gate and the after-the-fact dose check use. History points are committed
at each supervision tick from the actuator-reported volume (scaled by tip concentration); between
ticks the commanded volume stands in.
"""
from __future__ import annotations

import math

from firmware_sim.clock import Clock
from firmware_sim.event_log import EventKind, EventLog
from firmware_sim.ports import Actuator, ActuatorError, ActuatorStatus
from firmware_sim.pump.concentration import ConcentrationTrack
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.delivered_history import DeliveredHistory
from firmware_sim.pump.reservoir import Reservoir
from firmware_sim.pump.tick_batch import SupervisionWindow, TickPlan
from firmware_sim.safety.window import DoseHistory
from firmware_sim.units import S_PER_H, UL_PER_ML

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
        self.reservoir = Reservoir(config.reservoir_capacity_ul)
        self.t_s = clock.now_s()
        self.q_ul = 0.0
        self.rate_ul_per_h = 0.0
        self.reported_ul = 0.0
        self._baseline_ul: float | None = None
        self.delivered = DeliveredHistory(self.t_s, history_span_s)
        self._pending_ul = 0.0
        self._pending_mcg = 0.0
        self._tick_reported_ul = 0.0
        self.window_start_s = self.t_s
        self.window_q0_ul = 0.0
        """Commanded volume q_ul at the start of the supervision window."""
        self.window_reported0_ul = 0.0
        """Reported volume at the start of the supervision window."""

    # --- time and accounting ---
    def advance_to(self, t_s: float) -> None:
        dt_s = t_s - self.t_s
        if dt_s <= 0:
            return
        dq_ul = self.rate_ul_per_h * dt_s / S_PER_H
        if dq_ul > 0:
            self.reservoir.draw(dq_ul)
            q_ul = self.q_ul
            self._pending_mcg += self.track.tip_dose_mcg(q_ul, q_ul + dq_ul)
            self._pending_ul += dq_ul
            self.q_ul = q_ul + dq_ul
        self.t_s = t_s

    def refill(self, volume_ul: float, conc_mcg_per_ml: float) -> float:
        """The reservoir holds volume_ul at conc_mcg_per_ml from the outlet volume now on; the estimated residual
        it replaced."""
        replaced_ul = self.reservoir.refill(volume_ul, conc_mcg_per_ml)
        self.track.fill(self.q_ul, conc_mcg_per_ml)
        return replaced_ul

    def tip_conc_now(self) -> float:
        """Concentration of the fluid now leaving the tip (the parcel pushed next).

        Looks TIP_LOOKAHEAD_UL ahead so that a boundary the run loop treats as reached (it allows
        rounding of at most a microsecond of flow) counts as passed.
        """
        return self.track.tip_conc_after(self.q_ul + TIP_LOOKAHEAD_UL)

    def line_conc_ahead(self) -> tuple[float, ...]:
        """Concentrations that will leave the tip from now on (the parcel tip_conc_now names first)."""
        return self.track.conc_ahead(self.q_ul + TIP_LOOKAHEAD_UL)

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
        self.rate_ul_per_h = rate_ul_per_h
        self.log.append(self.t_s, EventKind.RATE_COMMAND, rate_ul_per_h=rate_ul_per_h, q_ul=self.q_ul)

    def force_stop(self) -> Exception | None:
        """Stop at once; the firmware counts delivery as stopped even if the actuator does not answer."""
        error = None
        if self.rate_ul_per_h != 0.0:
            self.rate_ul_per_h = 0.0
            self.log.append(self.t_s, EventKind.RATE_COMMAND, rate_ul_per_h=0.0, q_ul=self.q_ul)
        try:
            self.actuator.stop()
        except Exception as exc:  # the alarm is already latched; record why the stop failed
            error = exc
        return error

    def read_status(self) -> ActuatorStatus:
        if self._baseline_ul is None:
            self._ensure_baseline()
        status = _finite_volume(self.actuator.read_status())
        self.reported_ul = status.delivered_ul - (self._baseline_ul or 0.0)
        return status

    # --- supervision bookkeeping ---
    def commit_ticks(self, plan: TickPlan, n: int, window: SupervisionWindow) -> None:
        """Apply the first n ticks of a bulk plan (tick_batch.plan_ticks), as n commit_tick() calls would, and
        the supervision window after them."""
        last = n - 1
        t_s = float(plan.t_s[last])
        self.t_s, self.q_ul = t_s, float(plan.q_ul[last])
        self.reservoir.volume_ul = float(plan.reservoir_ul[last])
        self.reservoir.drawn_total_ul = float(plan.drawn_total_ul[last])
        self.reported_ul = self._tick_reported_ul = float(plan.reported_ul[last])
        self._pending_ul = self._pending_mcg = 0.0
        self.delivered.extend(plan.t_s[:n], plan.cum_mcg[:n])
        self.window_start_s, self.window_q0_ul, self.window_reported0_ul = window
        self.log.append_statuses(plan.t_s[:n], plan.reported_ul[:n], plan.q_ul[:n])

    def commit_tick(self) -> None:
        """Turn the interval since the last tick into delivered history, scaled by the actuator report."""
        total_reported_ul, t_s = self.reported_ul, self.t_s
        reported_ul = total_reported_ul - self._tick_reported_ul
        if self._pending_ul > 0:
            mcg = self._pending_mcg * reported_ul / self._pending_ul
        else:
            mcg = reported_ul * self.tip_conc_now() / UL_PER_ML
        self.delivered.commit(t_s, self.delivered.last_cum_mcg + (0.0 if mcg < 0.0 else mcg))  # max(mcg, 0.0)
        self._tick_reported_ul = total_reported_ul
        self._pending_ul = self._pending_mcg = 0.0
        self.log.append_status(t_s, total_reported_ul, self.q_ul)

    def window_volumes_ul(self) -> tuple[float, float, float]:
        """(commanded_ul, reported_ul, elapsed_s) since the start of the supervision window."""
        return self.q_ul - self.window_q0_ul, self.reported_ul - self.window_reported0_ul, self.t_s - self.window_start_s

    def restart_window(self) -> None:
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
        return self.delivered.tail(self.t_s, self._pending_mcg, span_s)


def _finite_volume(status: ActuatorStatus) -> ActuatorStatus:
    """A delivered volume that is not a finite number is an actuator fault, never a number supervision computes
    with [SR-HIL-005]: whatever adapter sits in front, the firmware does not trust it."""
    if not math.isfinite(status.delivered_ul):
        raise ActuatorError("actuator_fault", f"actuator reported a delivered volume of {status.delivered_ul!r} uL, "
                                              "not a finite number")
    return status
