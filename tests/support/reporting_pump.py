"""A SyringePump on a virtual clock for adapter tests: delivers gain x the commanded rate, reports what report()
says, raises error at a status read when one is set."""
from __future__ import annotations

from drivers.syringe_pump import PumpStatus
from firmware_sim.clock import VirtualClock
from firmware_sim.units import S_PER_H


class ReportingPump:
    """A SyringePump on a virtual clock that delivers gain x the commanded rate and reports what report() says."""

    def __init__(self, clock: VirtualClock, gain: float = 1.0) -> None:
        self.clock, self.gain = clock, gain
        self.rate_ul_per_h = 0.0
        self.running = False
        self.delivered_ul = 0.0
        self._t_s = clock.now_s()
        self.report = lambda pump: pump.delivered_ul
        self.alarm: str | None = None
        self.error: Exception | None = None
        self.cleared_ul = 0.0

    def _advance(self) -> None:
        now_s = self.clock.now_s()
        if self.running:
            self.delivered_ul += self.gain * self.rate_ul_per_h * (now_s - self._t_s) / S_PER_H
        self._t_s = now_s

    def set_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        self._advance()
        self.rate_ul_per_h = rate_ul_per_h

    def start(self) -> None:
        self._advance()
        self.running = True

    def stop(self) -> None:
        self._advance()
        self.running = False

    def clear_infused_volume(self) -> None:
        self._advance()
        self.cleared_ul = self.delivered_ul

    def status(self) -> PumpStatus:
        self._advance()
        if self.error is not None:
            raise self.error
        alarm, self.alarm = self.alarm, None
        return PumpStatus(self.running, self.report(self), alarm)
