"""An in-memory actuator on the shared clock, for tests, what-if runs and the benchmark.

Delivers gain x the commanded rate (gain 1.0 is exact); faults and communication loss can be injected.
"""
from __future__ import annotations

from firmware_sim.clock import Clock
from firmware_sim.ports import ActuatorError, ActuatorStatus

S_PER_H = 3600.0


class InMemoryActuator:
    def __init__(self, clock: Clock, gain: float = 1.0, start_delivered_ul: float = 0.0) -> None:
        self._clock = clock
        self.gain = gain
        self._rate_ul_per_h = 0.0
        self._delivered_ul = start_delivered_ul
        self._t_s = clock.now_s()
        self.fault: str | None = None
        """A fault reported in the status; a stalled or occluded actuator delivers nothing."""
        self.communication_lost = False
        self.commands: list[tuple[float, float]] = []
        """(t_s, rate_ul_per_h) of every command received; stop() records 0.0."""
        self.status_reads = 0

    def _advance(self) -> None:
        now, t_s = self._clock.now_s(), self._t_s
        if now > t_s:
            if self.fault is None:
                self._delivered_ul += self.gain * self._rate_ul_per_h * (now - t_s) / S_PER_H
            self._t_s = now

    def _check_link(self) -> None:
        if self.communication_lost:
            raise ActuatorError("communication_lost", "no answer from the actuator")

    def command_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        self._advance()
        self._check_link()
        if not rate_ul_per_h > 0:
            raise ValueError(f"rate_ul_per_h must be > 0, got {rate_ul_per_h}")
        self._rate_ul_per_h = rate_ul_per_h
        self.commands.append((self._t_s, rate_ul_per_h))

    def stop(self) -> None:
        self._advance()
        self._check_link()
        self._rate_ul_per_h = 0.0
        self.commands.append((self._t_s, 0.0))

    def read_status(self) -> ActuatorStatus:
        now, t_s, fault = self._clock.now_s(), self._t_s, self.fault  # self._advance(), inlined (every tick)
        if now > t_s:
            if fault is None:
                self._delivered_ul += self.gain * self._rate_ul_per_h * (now - t_s) / S_PER_H
            self._t_s = now
        if self.communication_lost:
            self._check_link()
        self.status_reads += 1
        return ActuatorStatus(self._rate_ul_per_h > 0 and fault is None, self._delivered_ul, fault)

    @property
    def rate_ul_per_h(self) -> float:
        return self._rate_ul_per_h

    @property
    def delivered_ul(self) -> float:
        self._advance()
        return self._delivered_ul
