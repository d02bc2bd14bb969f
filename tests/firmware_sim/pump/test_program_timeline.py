"""The running program over time and the tip profile it sustains: the withdrawal envelope's reference."""
from __future__ import annotations

import pytest

from firmware_sim.pump.program_timeline import ProgramTimeline
from firmware_sim.pump.programs import ContinuousProgram, FlexSchedule, FlexStep

pytestmark = pytest.mark.requirements("SR-PK-006")


def test_programs_run_until_the_next_change_or_a_stop():
    timeline = ProgramTimeline()
    timeline.note(3600.0, ContinuousProgram(240.0))
    timeline.note(7200.0, ContinuousProgram(240.0))  # the same program again: no change
    timeline.note(10800.0, ContinuousProgram(480.0))
    timeline.note(14400.0, None)  # stopped by the clinician
    profile = timeline.sustained_profile(10 * 3600.0)
    assert [(s.start_h, s.duration_h, s.rate_mcg_per_h) for s in profile.segments] == [
        (1.0, 2.0, 10.0), (3.0, 1.0, 20.0)]
    assert profile.total_dose_mcg() == pytest.approx(40.0)


def test_a_flex_program_follows_its_schedule_and_the_end_cuts_it():
    flex = FlexSchedule((FlexStep(0.0, 10.0), FlexStep(6.0, 30.0), FlexStep(8.0, 10.0)))
    timeline = ProgramTimeline()
    timeline.note(0.0, flex)
    profile = timeline.sustained_profile(9 * 3600.0)
    assert [(s.start_h, s.duration_h, s.rate_mcg_per_h) for s in profile.segments] == [
        (0.0, 6.0, 10.0), (6.0, 2.0, 30.0), (8.0, 1.0, 10.0)]


def test_changes_out_of_time_order_are_refused():
    timeline = ProgramTimeline()
    timeline.note(100.0, ContinuousProgram(240.0))
    with pytest.raises(ValueError, match="time order"):
        timeline.note(50.0, None)


def test_no_program_sustains_nothing():
    assert ProgramTimeline().sustained_profile(3600.0).segments == ()
