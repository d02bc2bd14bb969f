"""A flex schedule moves on at every step: each change lies after the time it was asked at, however the step
times round, and the plan is the chain of those steps."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from firmware_sim.event_log import EventKind
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.programs import FlexSchedule, FlexStep
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.window import RatePiece
from firmware_sim.units import UL_PER_ML
import itertools

starts_h = st.lists(st.floats(0.01, 23.99, allow_nan=False), max_size=8, unique=True).map(
    lambda later: [0.0] + sorted(later))
STUCK_BEFORE = ([0.0, 11.890533388464743], 15534411.19909879)
"""A schedule and start time at which the step lookup (t - day start against the step start) used to return the
step already reached, so next_change_s(t) == t: the plan looped for ever and the firmware stopped settling."""


@example(starts_h=STUCK_BEFORE[0], start_s=STUCK_BEFORE[1], span_s=2 * 86400.0, midnight_s=0.0)
@example(starts_h=[0.0, 6.0], start_s=86400.0 - 50400.0, span_s=86400.0, midnight_s=-50400.0)  # a day boundary
@given(starts_h=starts_h, start_s=st.floats(0, 400 * 86400.0, allow_nan=False),
       span_s=st.floats(0, 3 * 86400.0, allow_nan=False),
       midnight_s=st.one_of(st.just(0.0), st.floats(-86400.0, 0.0, exclude_min=True, allow_nan=False)))
@settings(max_examples=300)
def test_changes_lie_ahead_and_the_plan_chains_the_steps(starts_h, start_s, span_s, midnight_s):
    schedule = FlexSchedule(tuple(FlexStep(h, 10.0 + k) for k, h in enumerate(starts_h)), midnight_s)
    end_s = start_s + span_s
    expected, t = [], start_s
    for _ in range(4 * len(starts_h) + 8):  # at most one piece per step and day, plus the ends
        if not t < end_s:
            break
        nxt = schedule.next_change_s(t)
        assert nxt > t
        expected.append(RatePiece(t, min(nxt, end_s), schedule.rate_mcg_per_h_at(t)))
        t = min(nxt, end_s)
    assert not t < end_s
    assert schedule.planned(start_s, end_s) == expected


@pytest.mark.timeout(60)  # before the fix the gate's plan looped for ever here
def test_a_schedule_with_unround_step_times_runs_through_its_steps(rig):
    fw = rig.primed(conc_mcg_per_ml=2000.0)
    fw.run_until_s(STUCK_BEFORE[1] - 3600)
    assert fw.start_flex(FlexSchedule((FlexStep(0.0, 12.0), FlexStep(STUCK_BEFORE[0][1], 18.0)))).approved
    fw.run_until_s(STUCK_BEFORE[1] + 2 * 86400)
    assert fw.state is PumpState.CONTINUOUS and fw.active_alarms == ()


def test_the_schedule_follows_the_pump_clocks_time_of_day(make_rig):
    """A run that starts at 14:00: the 20:00 step comes 6 h in, midnight 10 h in."""
    fw = make_rig(FirmwareConfig(start_time_of_day_h=14.0)).primed(conc_mcg_per_ml=2000.0)  # to 2 h, 16:00
    schedule = FlexSchedule((FlexStep(0.0, 10.0), FlexStep(8.0, 20.0), FlexStep(20.0, 15.0)))
    assert fw.start_flex(schedule).approved
    fw.run_until_s(30 * 3600)
    changes = [(e.t_s / 3600, e.fields["rate_ul_per_h"]) for e in fw.events if e.kind == EventKind.RATE_COMMAND]
    at_2000_ul_per_mcg = UL_PER_ML / 2000.0
    assert changes[2:] == [(2.0, 20.0 * at_2000_ul_per_mcg),   # 16:00, in the 08:00 step
                           (6.0, 15.0 * at_2000_ul_per_mcg), (10.0, 10.0 * at_2000_ul_per_mcg),
                           (18.0, 20.0 * at_2000_ul_per_mcg), (30.0, 15.0 * at_2000_ul_per_mcg)]


@example(start_h=16.4, starts_h=[0.0, 8.0, 20.0])  # next midnight 1 ps after a tick: used to stop settling
@example(start_h=0.0, starts_h=[0.0, 4.4])
@example(start_h=0.0, starts_h=[0.0, 2.0])  # a step due exactly at the run's end: taken, but no plan piece starts there
@given(start_h=st.floats(0.0, 23.99, allow_nan=False), starts_h=starts_h)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_firmware_steps_through_any_schedule_from_any_time_of_day(make_rig, start_h, starts_h):
    """A step that falls a hair after a supervision tick is due at that tick: the firmware takes it then."""
    config = FirmwareConfig(start_time_of_day_h=start_h)
    fw = make_rig(config).primed(conc_mcg_per_ml=2000.0)  # make_rig builds a new firmware on each call
    schedule = FlexSchedule(tuple(FlexStep(h, 10.0 + k) for k, h in enumerate(starts_h)))
    assert fw.start_flex(schedule).approved
    start_s, end_s = 2 * 3600.0, 2 * 3600 + 2 * 86400.0
    fw.run_until_s(end_s)
    assert fw.state is PumpState.CONTINUOUS and fw.active_alarms == ()
    pieces = FlexSchedule(schedule.steps, config.midnight_s).planned(start_s, end_s)
    expected_s = [b.start_s for a, b in itertools.pairwise(pieces) if b.rate_mcg_per_h != a.rate_mcg_per_h]
    commanded_s = [e.t_s for e in fw.events if e.kind == EventKind.RATE_COMMAND and start_s < e.t_s < end_s]
    assert commanded_s == pytest.approx(expected_s, abs=1e-6)  # each step taken at its time of day


@pytest.mark.parametrize("hour", [-1.0, 24.0, float("nan"), True])
def test_the_start_time_of_day_must_be_a_time_of_day(hour):
    with pytest.raises(ValueError, match="start_time_of_day_h must be a number 0 <= h < 24"):
        FirmwareConfig(start_time_of_day_h=hour)


def test_a_flex_schedule_has_at_most_one_step_a_minute():
    """8000 steps a day (what the scenario file cannot say: its schedule holds at most 1440) made the gate's window
    check build a 4 GB matrix; the schedule is refused where it is made, naming the count."""
    FlexSchedule(tuple(FlexStep(i / 60, 10.0) for i in range(1440)))
    with pytest.raises(ValueError, match=r"FlexSchedule has at most 1440 steps \(one a minute\), got 8000"):
        FlexSchedule(tuple(FlexStep(24 * i / 8000, 10.0) for i in range(8000)))
