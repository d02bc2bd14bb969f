"""A supervision tick that comes late (a wall clock: a slow device reply held the loop) keeps the ticks after it on
their grid of whole periods: the runner pairs its volume samples and balance readings with the ticks of that grid,
so a tick moved off it would leave every later delivered-profile point unpaired (the run would then read as if the
balance had stopped weighing)."""
from __future__ import annotations

import pytest

from firmware_sim.pump.config import FirmwareConfig

PERIOD_S = 60.0


@pytest.mark.parametrize("late_s, next_after_due_s", [(10.0, 60.0), (50.0, 120.0), (130.0, 180.0)])
def test_a_late_tick_is_followed_by_the_next_tick_of_the_grid_at_least_half_a_period_on(make_rig, late_s,
                                                                                        next_after_due_s):
    rig = make_rig(FirmwareConfig(supervision_period_s=PERIOD_S))
    fw = rig.primed()
    assert fw.start_continuous(400).approved
    fw.run_until_s(600.0 + 3 * 3600)
    due_s = fw.scheduler.next_tick_s
    rig.clock.advance_s(due_s + late_s - rig.clock.now_s())  # the loop got back late_s after the tick fell due
    fw.scheduler.sync()
    assert fw.scheduler.next_tick_s - due_s == pytest.approx(next_after_due_s)  # a whole number of periods on
    assert fw.scheduler.next_tick_s - rig.clock.now_s() >= PERIOD_S / 2
