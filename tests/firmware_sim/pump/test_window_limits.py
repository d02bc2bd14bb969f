"""The soft maximum and the titration cap on the rolling 24 h window (SR-DOSE-009, SR-TIT-003). Before them,
alternating a 300 mcg/day flex schedule given 12-24 h with the same doses given 0-12 h was approved every time
(each program's daily dose 300), and the 24 h from noon held 600 mcg."""
from __future__ import annotations

import numpy as np
import pytest

from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.programs import FlexSchedule, FlexStep
from firmware_sim.safety.limits import DrugLimits, Indication
from firmware_sim.safety.window import DoseHistory, RatePiece, max_window_dose_mcg
from firmware_sim.safety.window_limits import window_limit_findings

req = pytest.mark.requirements
H = 3600.0
DAY_S = 24 * H
NIGHT = FlexSchedule((FlexStep(0.0, 0.0), FlexStep(12.0, 25.0)))
"""300 mcg/day, all of it from noon to midnight."""
MORNING = FlexSchedule((FlexStep(0.0, 25.0), FlexStep(12.0, 0.0)))
"""The same 300 mcg/day from midnight to noon."""


def _delivered_window_peak_mcg(fw) -> float:
    """The largest delivered dose in a 24 h window ending at most a day ago."""
    return max_window_dose_mcg(fw.engine.history(), (), DAY_S)[0]


def _on_night_schedule_until_midnight(make_rig):
    fw = make_rig().primed(conc_mcg_per_ml=2000)
    assert fw.start_flex(NIGHT).approved
    fw.run_until_s(2 * DAY_S)  # the second night's block delivered; now 00:00
    return fw


@req("SR-TIT-003")
def test_a_retimed_flex_schedule_needs_an_explicit_override(make_rig):
    fw = _on_night_schedule_until_midnight(make_rig)
    refused = fw.start_flex(MORNING)
    assert not refused.approved and refused.requirement_ids == ("SR-TIT-003",)
    assert "600 mcg in the 24 h window starting at t=129600 s" in refused.reasons[0]
    assert "100.0% above 300 mcg" in refused.reasons[0] and "spinal-origin cap 30%" in refused.reasons[0]
    confirmed = fw.start_flex(MORNING, override_soft_limits=True)
    assert confirmed.approved and "SR-TIT-003" in confirmed.overridden[0]
    fw.run_until_s(fw.now_s + 12 * H)
    assert _delivered_window_peak_mcg(fw) == pytest.approx(600.0, rel=1e-3)  # what the clinician confirmed


@req("SR-TIT-003")
def test_re_timing_later_and_an_increase_within_the_cap_pass(make_rig):
    fw = _on_night_schedule_until_midnight(make_rig)
    later = FlexSchedule((FlexStep(0.0, 0.0), FlexStep(14.0, 30.0)))  # the same 300 mcg from 14:00
    assert fw.start_flex(later).approved
    fw.run_until_s(fw.now_s + 12 * H)
    assert fw.start_flex(FlexSchedule((FlexStep(0.0, 0.0), FlexStep(14.0, 39.0)))).approved  # +30 %, same hours


@req("SR-DOSE-009")
def test_a_retimed_schedule_above_the_soft_maximum_in_a_window_needs_an_override(make_rig):
    fw = make_rig(config=FirmwareConfig(exposure_limits=None)).primed(conc_mcg_per_ml=2000)
    evening = FlexSchedule((FlexStep(0.0, 0.0), FlexStep(12.0, 500.0 / 12)))
    assert fw.start_flex(evening).approved
    fw.run_until_s(2 * DAY_S)
    refused = fw.start_flex(FlexSchedule((FlexStep(0.0, 500.0 / 12), FlexStep(12.0, 0.0))))
    assert not refused.approved and set(refused.requirement_ids) == {"SR-DOSE-009", "SR-TIT-003"}
    assert "exceeds the spinal-origin soft maximum 800 mcg/day" in refused.reasons[0]
    assert "largest window without this command holds 500 mcg" in refused.reasons[0]


LIMITS = DrugLimits()
NOW_S = 30 * H


def _history(rate_mcg_per_h: float) -> DoseHistory:
    """Delivered at rate_mcg_per_h from t = 0 to now."""
    return DoseHistory(np.array([0.0, NOW_S]), np.array([0.0, rate_mcg_per_h * NOW_S / H]))


def _plan(rate_mcg_per_h: float) -> tuple[RatePiece, ...]:
    return (RatePiece(NOW_S, NOW_S + 2 * DAY_S, rate_mcg_per_h),)


@req("SR-DOSE-009", "SR-TIT-003")
def test_a_window_already_that_full_without_the_command_is_not_its_doing():
    """A pump that ran fast put 900 mcg in the last 24 h; re-programming the same 750 mcg/day adds nothing."""
    findings = window_limit_findings(_history(37.5), _plan(750 / 24), _plan(750 / 24), LIMITS, Indication.SPINAL,
                                     750.0, False, set())
    assert findings == []
    findings = window_limit_findings(_history(37.5), _plan(37.5 * 1.01), _plan(750 / 24), LIMITS, Indication.SPINAL,
                                     750.0, False, set())
    assert [f.requirement_id for f in findings] == ["SR-DOSE-009"] and all(f.soft for f in findings)


@req("SR-DOSE-009", "SR-TIT-003")
def test_findings_of_the_programmed_dose_are_not_repeated_and_a_first_program_has_no_titration():
    history, plan = _history(0.0), _plan(900 / 24)
    both = window_limit_findings(history, plan, (), LIMITS, Indication.SPINAL, 300.0, False, set())
    assert [f.requirement_id for f in both] == ["SR-DOSE-009", "SR-TIT-003"]
    assert window_limit_findings(history, plan, (), LIMITS, Indication.SPINAL, 300.0, False,
                                 {"SR-DOSE-002", "SR-TIT-001"}) == []
    first = window_limit_findings(history, plan, (), LIMITS, Indication.SPINAL, None, False, set())
    assert [f.requirement_id for f in first] == ["SR-DOSE-009"]


@req("SR-TIT-003")
def test_a_child_is_held_to_the_pediatric_cap_on_the_window():
    history, plan = _history(300 / 24), _plan(320 / 24)  # +6.7 %: within the spinal and pediatric caps
    assert window_limit_findings(history, plan, _plan(300 / 24), LIMITS, Indication.SPINAL, 300.0, True, set()) == []
    plan = _plan(350 / 24)  # +16.7 %: within the spinal cap, above the pediatric 15 %
    assert window_limit_findings(history, plan, _plan(300 / 24), LIMITS, Indication.SPINAL, 300.0, False, set()) == []
    found = window_limit_findings(history, plan, _plan(300 / 24), LIMITS, Indication.SPINAL, 300.0, True, set())
    assert [f.requirement_id for f in found] == ["SR-TIT-003"] and "pediatric cap 15%" in found[0].reason
