"""The tick loop (DeliveryEngine.run_ticks) settles a plainly quiet read itself (its own copy of the tolerance and
breach comparisons, kept inline for the per-tick cost) and hands every other read to Supervisor.check_read, which
raises what tick_alarms finds: the shortcut must never hide an alarm tick_alarms would raise, nor raise one it would
not. Driven through a real engine, history and supervisor; only the actuator's report is scripted."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from firmware_sim.clock import VirtualClock
from firmware_sim.event_log import EventLog
from firmware_sim.ports import ActuatorStatus
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.engine import DeliveryEngine
from firmware_sim.pump.supervision import Supervisor, SupervisionThresholds, allowed_deviation_ul, tick_alarms
from firmware_sim.units import S_PER_H

THRESHOLDS = SupervisionThresholds(tolerance_fraction=0.145, tolerance_floor_ul=0.1, window_restart_s=3600.0,
                                   dose_breach_mcg=1200.0 * (1 + 1e-9), window_h=24.0,
                                   hard_max_daily_dose_mcg=1200.0, low_reservoir_ul=2000.0)
TICK_S = 60.0


class _ScriptedActuator:
    """Reports nothing delivered at time zero (the engine's baseline) and the scripted status at the tick."""

    def __init__(self, clock: VirtualClock, at_tick: ActuatorStatus) -> None:
        self._clock, self._at_tick = clock, at_tick

    def read_status(self) -> ActuatorStatus:
        return self._at_tick if self._clock.now_s() >= TICK_S else ActuatorStatus(True, 0.0)

    def command_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        pass

    def stop(self) -> None:
        pass


class _Alarms:
    def __init__(self) -> None:
        self.raised: list[tuple[object, str]] = []

    def raise_alarm(self, name: object, detail: str) -> None:
        self.raised.append((name, detail))


BREACH_MCG = THRESHOLDS.dose_breach_mcg
# ratios of the deviation to the tolerance, and doses before the tick, on both sides of each comparison and across it
deviation_ratios = st.one_of(st.sampled_from([0.0, 0.5, 1.0, math.nextafter(1.0, 2.0), 1.001, 1.01, 2.0]),
                             st.floats(0.0, 3.0))
doses_before_mcg = st.one_of(st.sampled_from([0.0, math.nextafter(BREACH_MCG, 0.0), BREACH_MCG,
                                              math.nextafter(BREACH_MCG, math.inf), BREACH_MCG + 1e-9,
                                              BREACH_MCG * 1.001]),
                             st.floats(0.0, 2000.0))


@pytest.mark.requirements("SR-SUP-001", "SR-SUP-002", "SR-ALM-004")
@settings(max_examples=300, deadline=None)
@given(commanded_ul=st.one_of(st.just(0.0), st.floats(0.0, 50.0)), ratio=deviation_ratios, under=st.booleans(),
       fault=st.sampled_from([None, "", "motor_stall", "occlusion"]), dose_before_mcg=doses_before_mcg,
       conc_mcg_per_ml=st.sampled_from([0.0, 500.0, 2000.0]))
def test_a_tick_raises_exactly_what_tick_alarms_finds(commanded_ul: float, ratio: float, under: bool,
                                                      fault: str | None, dose_before_mcg: float,
                                                      conc_mcg_per_ml: float) -> None:
    rate_ul_per_h = commanded_ul * S_PER_H / TICK_S
    commanded_ul = rate_ul_per_h * TICK_S / S_PER_H  # as the engine computes it (checked below)
    allowed_ul = allowed_deviation_ul(THRESHOLDS.tolerance_fraction, THRESHOLDS.tolerance_floor_ul, commanded_ul)
    reported_ul = commanded_ul + (-ratio * allowed_ul if under else ratio * allowed_ul)
    clock = VirtualClock()
    engine = DeliveryEngine(FirmwareConfig(), _ScriptedActuator(clock, ActuatorStatus(True, reported_ul, fault)),
                            clock, EventLog(), 2 * THRESHOLDS.window_h * S_PER_H)
    engine.refill(20000.0, conc_mcg_per_ml)
    engine.set_rate(1.0)  # the first command takes the actuator's baseline (nothing delivered at time zero)
    engine.set_rate(rate_ul_per_h)
    engine.delivered.extend(np.array([TICK_S / 2]), np.array([dose_before_mcg]))  # delivered before the tick
    alarms = _Alarms()
    supervisor = Supervisor(THRESHOLDS, engine, alarms)  # type: ignore[arg-type]
    clock.sleep_until_s(TICK_S)
    raised = supervisor.tick(TICK_S)
    assert engine.q_ul == commanded_ul and engine.reported_ul == reported_ul
    window_dose_mcg = engine.delivered.dose_in_last_s(THRESHOLDS.window_h * S_PER_H)
    expected = tick_alarms(THRESHOLDS.tolerance_fraction, THRESHOLDS.tolerance_floor_ul, THRESHOLDS.dose_breach_mcg,
                           THRESHOLDS.window_h, THRESHOLDS.hard_max_daily_dose_mcg, fault, None, commanded_ul,
                           reported_ul, TICK_S, window_dose_mcg)
    assert alarms.raised == list(expected)
    assert raised == bool(expected)
