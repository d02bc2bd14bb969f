"""An in-memory actuator on the shared clock, for tests, what-if runs and the benchmark.

Delivers gain x the commanded rate (gain 1.0 is exact); faults and communication loss can be injected.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

from firmware_sim.clock import Clock
from firmware_sim.ports import ActuatorError, ActuatorStatus
from firmware_sim.units import S_PER_H
from firmware_sim.pump.actuator_faults import ActuatorFault

_new_status: Callable[[type[ActuatorStatus], tuple[Any, ...]], ActuatorStatus] = tuple.__new__
"""ActuatorStatus(...) without its generated __new__ (a status read per supervision tick)."""


class InMemoryActuator:
    def __init__(self, clock: Clock, gain: float = 1.0, start_delivered_ul: float = 0.0,
                 watchdog_s: float | None = None) -> None:
        if watchdog_s is not None and not watchdog_s > 0:
            raise ValueError(f"watchdog_s must be > 0 s or None, got {watchdog_s}")
        self._clock = clock
        self._now_s = clock.now_s
        self.gain = gain
        self.watchdog_s = watchdog_s
        """Stop by itself once the controller has not reached it for this long (like the NE-1000 safe-mode
        watchdog); None: no watchdog, an unreachable actuator keeps running."""
        self._rate_ul_per_h = 0.0
        self._delivered_ul = start_delivered_ul
        self._t_s = self._contact_s = clock.now_s()
        self.fault: str | None = None
        """A fault reported in the status; a stalled or occluded actuator delivers nothing."""
        self.communication_lost = False
        self.commands: list[tuple[float, float]] = []
        """(t_s, rate_ul_per_h) of every command received; stop() records 0.0."""
        self.watchdog_stops_s: list[float] = []
        """When the watchdog stopped delivery."""
        self.status_reads = 0

    def _advance(self) -> float:
        now_s, t_s = self._now_s(), self._t_s
        if now_s > t_s:
            self._deliver_until(now_s, t_s)
        return now_s

    def _deliver_until(self, now_s: float, t_s: float) -> None:
        """Delivery from t_s (the last time the actuator was advanced to) on to now_s."""
        run_until_s = now_s
        watchdog_expired = False
        if self.watchdog_s is not None and self._rate_ul_per_h > 0:
            expiry_s = self._contact_s + self.watchdog_s
            if expiry_s < now_s:
                run_until_s, watchdog_expired = max(expiry_s, t_s), True
        if self.fault is None:
            self._delivered_ul += self.gain * self._rate_ul_per_h * (run_until_s - t_s) / S_PER_H
        if watchdog_expired:
            self._rate_ul_per_h = 0.0
            self.fault = "watchdog"
            self.watchdog_stops_s.append(run_until_s)
        self._t_s = now_s

    def _reach(self) -> None:
        """The controller reaches the actuator now, or raises as a lost link does."""
        now_s = self._advance()
        if self.communication_lost:
            raise ActuatorError(ActuatorFault.COMMUNICATION_LOST, "no answer from the actuator")
        self._contact_s = now_s

    def command_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        self._reach()
        if not rate_ul_per_h > 0:
            raise ValueError(f"rate_ul_per_h must be > 0, got {rate_ul_per_h}")
        self._rate_ul_per_h = rate_ul_per_h
        self.commands.append((self._t_s, rate_ul_per_h))

    def stop(self) -> None:
        self._reach()
        self._rate_ul_per_h = 0.0
        self.commands.append((self._t_s, 0.0))

    def read_status(self) -> ActuatorStatus:
        now_s, t_s, fault = self._now_s(), self._t_s, self.fault  # _reach(), inlined: one read per supervision tick
        if now_s > t_s:
            if self.watchdog_s is None and fault is None:  # _deliver_until without a watchdog, inlined
                self._delivered_ul += self.gain * self._rate_ul_per_h * (now_s - t_s) / S_PER_H
                self._t_s = now_s
            else:
                self._deliver_until(now_s, t_s)
                fault = self.fault
        if self.communication_lost:
            raise ActuatorError(ActuatorFault.COMMUNICATION_LOST, "no answer from the actuator")
        self._contact_s = now_s
        self.status_reads += 1
        return _new_status(ActuatorStatus, (self._rate_ul_per_h > 0 and fault is None, self._delivered_ul, fault, None))

    @property
    def rate_ul_per_h(self) -> float:
        return self._rate_ul_per_h

    @property
    def delivered_ul(self) -> float:
        self._advance()
        return self._delivered_ul
