"""Supervisor.tick decides a plainly quiet read itself (its own copy of the tolerance and breach comparisons, kept
inline for the per-tick cost) and hands every other read to tick_alarms: the shortcut must never hide an alarm
tick_alarms would raise, nor raise one it would not."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings, strategies as st

from firmware_sim.ports import ActuatorStatus
from firmware_sim.pump.supervision import Supervisor, SupervisionThresholds, allowed_deviation_ul, tick_alarms

THRESHOLDS = SupervisionThresholds(tolerance_fraction=0.145, tolerance_floor_ul=0.1, window_restart_s=3600.0,
                                   dose_breach_mcg=1200.0 * (1 + 1e-9), window_h=24.0,
                                   hard_max_daily_dose_mcg=1200.0, low_reservoir_ul=2000.0)


@dataclass
class _Delivered:
    last_cum_mcg: float
    window_floor_mcg: float
    window_dose_mcg: float

    def dose_in_last_s(self, window_s: float) -> float:
        assert window_s == THRESHOLDS.window_h * 3600.0
        return self.window_dose_mcg


@dataclass
class _Engine:
    """The reads Supervisor.tick takes of a DeliveryEngine, fixed."""

    status: ActuatorStatus
    commanded_ul: float
    reported_ul: float
    delivered: _Delivered

    def supervision_read(self, t_s: float) -> tuple[ActuatorStatus, float, float, float]:
        return self.status, self.commanded_ul, self.reported_ul, 60.0

    def restart_window(self) -> None:
        pass


class _Alarms:
    def __init__(self) -> None:
        self.raised: list[tuple[object, str]] = []

    def raise_alarm(self, name: object, detail: str) -> None:
        self.raised.append((name, detail))


BREACH_MCG = THRESHOLDS.dose_breach_mcg
# ratios of the deviation to the tolerance, and window doses, on both sides of each comparison and just across it
deviation_ratios = st.one_of(st.sampled_from([0.0, 0.5, 1.0, math.nextafter(1.0, 2.0), 1.001, 1.01, 2.0]),
                             st.floats(0.0, 3.0))
window_doses_mcg = st.one_of(st.sampled_from([0.0, math.nextafter(BREACH_MCG, 0.0), BREACH_MCG,
                                              math.nextafter(BREACH_MCG, math.inf), BREACH_MCG + 1e-9,
                                              BREACH_MCG * 1.001]),
                             st.floats(0.0, 2000.0))


@pytest.mark.requirements("SR-SUP-001", "SR-SUP-002", "SR-ALM-004")
@settings(max_examples=300, deadline=None)
@given(commanded_ul=st.one_of(st.just(0.0), st.floats(0.0, 50.0)), ratio=deviation_ratios, under=st.booleans(),
       fault=st.sampled_from([None, "", "motor_stall", "occlusion"]), window_dose_mcg=window_doses_mcg,
       floor_slack_mcg=st.one_of(st.just(0.0), st.floats(0.0, 500.0)))
def test_a_tick_raises_exactly_what_tick_alarms_finds(commanded_ul: float, ratio: float, under: bool,
                                                      fault: str | None, window_dose_mcg: float,
                                                      floor_slack_mcg: float) -> None:
    allowed_ul = allowed_deviation_ul(THRESHOLDS.tolerance_fraction, THRESHOLDS.tolerance_floor_ul, commanded_ul)
    deviation_ul = -ratio * allowed_ul if under else ratio * allowed_ul
    reported_ul = commanded_ul + deviation_ul
    # the history's bound (the dose since a point at or before the window's start) is at least the window dose
    delivered = _Delivered(window_dose_mcg + floor_slack_mcg, 0.0, window_dose_mcg)
    status = ActuatorStatus(True, reported_ul, fault, None)
    alarms = _Alarms()
    supervisor = Supervisor(THRESHOLDS, _Engine(status, commanded_ul, reported_ul, delivered), alarms)  # type: ignore[arg-type]
    raised = supervisor.tick(60.0)
    expected = tick_alarms(THRESHOLDS.tolerance_fraction, THRESHOLDS.tolerance_floor_ul, THRESHOLDS.dose_breach_mcg,
                           THRESHOLDS.window_h, THRESHOLDS.hard_max_daily_dose_mcg, fault, None, commanded_ul,
                           reported_ul, 60.0, window_dose_mcg)
    assert alarms.raised == list(expected)
    assert raised == bool(expected)
