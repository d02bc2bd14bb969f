"""The delivered profile from a log holding two status reads at one moment (a record from before the fix that keeps
priming reads off the tick's moment, or any writer's): the later read stands, with every uL it reports, instead of a
division by the zero interval between them crashing the run's verdict."""
from __future__ import annotations

import pytest

from firmware_sim.event_log import Event, EventKind
from firmware_sim.pump.profile_builder import build_delivery_profile

H = 3600.0


def _status(t_s: float, delivered_ul: float) -> Event:
    return Event(t_s, EventKind.STATUS, {"delivered_ul": delivered_ul, "commanded_ul": delivered_ul})


def test_two_reads_at_one_moment_count_the_later_one():
    events = [
        Event(0.0, EventKind.REFILL, {"conc_mcg_per_ml": 2000.0}),
        Event(0.0, EventKind.RATE_COMMAND, {"rate_ul_per_h": 10.0, "q_ul": 0.0}),
        _status(1 * H, 9.0),
        _status(1 * H, 10.0),  # the same moment, a later read
        _status(2 * H, 20.0),
    ]
    profile = build_delivery_profile(events, dead_volume_ul=5.0, end_s=2 * H)
    assert profile.total_dose_mcg() == pytest.approx((20.0 - 5.0) * 2.0)  # all 20 uL, less the dead volume
