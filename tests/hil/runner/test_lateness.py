"""hil.runner.lateness: the run's verdict names the first point of the scenario reached too late, and the latest."""
from __future__ import annotations

import math

from hil.runner.lateness import Lateness, lateness_tolerance_s


def test_within_the_tolerance_the_verdict_stands() -> None:
    lateness = Lateness(lateness_tolerance_s(True, supervision_period_s=60, compression_factor=20))
    lateness.step(0, "prime", 0.0, 60.0)
    lateness.end(3600.0, 3659.0)
    assert lateness.judged("PASS", "all met") == ("PASS", "all met")


def test_the_first_late_point_is_the_cause_and_the_latest_is_named_beside_it() -> None:
    lateness = Lateness(tolerance_s=5.0)
    lateness.step(0, "prime", 0.0, 1.0)
    lateness.step(1, "start_continuous", 36.0, 60.0)
    lateness.end(72.0, 130.0)
    outcome, reason = lateness.judged("FAIL", "step 1 rejected")
    assert outcome == "ERROR"
    assert reason.startswith("the run fell behind its scenario: step 1 start_continuous (at 0.01 h) ran 24 s of "
                             "scenario time late (the latest: the scenario's end (at 0.02 h) was reached 58 s of "
                             "scenario time late), more than the 5 s allowed")
    assert reason.endswith("The verdict otherwise: FAIL: step 1 rejected")


def test_only_the_end_late() -> None:
    lateness = Lateness(tolerance_s=5.0)
    lateness.step(0, "prime", 0.0, 0.5)
    lateness.end(72.0, 80.0)
    _outcome, reason = lateness.judged("PASS", "")
    assert "the scenario's end (at 0.02 h) was reached 8 s of scenario time late, more than" in reason
    assert "the latest" not in reason


def test_a_virtual_clock_is_never_judged_late() -> None:
    lateness = Lateness(lateness_tolerance_s(False, 60, 1.0))
    assert math.isinf(lateness.tolerance_s)
    lateness.end(10.0, 1e9)
    assert lateness.judged("PASS", "ok") == ("PASS", "ok")
