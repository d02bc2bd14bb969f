"""An in-memory actuator on the shared clock, for tests, what-if runs and the benchmark.

Delivers gain x the commanded rate (gain 1.0 is exact); faults and communication loss can be injected.
Being a model, it can say in advance what its status reads will be (ports.StatusPreview).
"""
from __future__ import annotations

import numpy as np

from firmware_sim.clock import Clock
from firmware_sim.ports import ActuatorError, ActuatorStatus, PreviewedReads
from firmware_sim.units import S_PER_H


class InMemoryActuator:
    def __init__(self, clock: Clock, gain: float = 1.0, start_delivered_ul: float = 0.0,
                 watchdog_s: float | None = None) -> None:
        if watchdog_s is not None and not watchdog_s > 0:
            raise ValueError(f"watchdog_s must be > 0 s or None, got {watchdog_s}")
        self._clock = clock
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
        now_s, t_s = self._clock.now_s(), self._t_s
        if now_s > t_s:
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
        return now_s

    def _reach(self) -> None:
        """The controller reaches the actuator now, or raises as a lost link does."""
        now_s = self._advance()
        if self.communication_lost:
            raise ActuatorError("communication_lost", "no answer from the actuator")
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
        self._reach()
        self.status_reads += 1
        fault = self.fault
        return ActuatorStatus(self._rate_ul_per_h > 0 and fault is None, self._delivered_ul, fault)

    def preview_reads(self, times_s: np.ndarray) -> PreviewedReads:
        """The delivered_ul that read_status() would report at each of times_s, computed as _advance() does read
        by read (add.accumulate sums left to right, so each value is the one the reads would give)."""
        state = self._preview_state()
        if self.fault is not None or self.communication_lost or not len(times_s) or times_s[0] < self._t_s:
            times_s = times_s[:0]
        elif self.watchdog_s is not None and self._rate_ul_per_h > 0:
            last_contact_s = np.concatenate(([self._contact_s], times_s[:-1]))
            expired = np.flatnonzero(last_contact_s + self.watchdog_s < times_s)
            if expired.size:
                times_s = times_s[:expired[0]]
        buffer = np.empty(len(times_s) + 1)
        buffer[0] = self._t_s
        buffer[1:] = times_s
        steps_ul = buffer[1:] - buffer[:-1]
        steps_ul *= self.gain * self._rate_ul_per_h
        steps_ul /= S_PER_H
        buffer[0] = self._delivered_ul
        buffer[1:] = steps_ul
        delivered_ul = np.add.accumulate(buffer, out=buffer)[1:]

        def take(n: int) -> None:
            if not 0 < n <= len(delivered_ul):
                raise ValueError(f"take({n}): the preview holds {len(delivered_ul)} reads")
            if self._preview_state() != state or self._clock.now_s() < times_s[n - 1]:
                raise ValueError("the actuator changed since the preview, or the clock is not yet at the reads")
            self._delivered_ul = float(delivered_ul[n - 1])
            self._t_s = self._contact_s = float(times_s[n - 1])
            self.status_reads += n

        return PreviewedReads(delivered_ul, take)

    def _preview_state(self) -> tuple:
        return (self._t_s, self._contact_s, self._delivered_ul, self._rate_ul_per_h, self.gain, self.fault,
                self.communication_lost, self.watchdog_s)

    @property
    def rate_ul_per_h(self) -> float:
        return self._rate_ul_per_h

    @property
    def delivered_ul(self) -> float:
        self._advance()
        return self._delivered_ul
