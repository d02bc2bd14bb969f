"""Every driver refuses a number that is not finite and positive by name, before anything is sent."""
from __future__ import annotations

import math

import numpy as np
import pytest

from drivers.grbl import GrblSyringe
from drivers.mtsics import MTSICSBalance
from drivers.ne1000 import NE1000Pump
from drivers.ne1000_link import NE1000Link
from drivers.syringe_pump import check_rate_ul_per_h, check_target_volume_ul
from drivers.transport import SerialTransport

BAD = [0.0, -1.0, math.nan, math.inf, True, "5"]

CASES = {
    "timeout_s": lambda v: SerialTransport("loop://", timeout_s=v),
    "write_timeout_s": lambda v: SerialTransport("loop://", write_timeout_s=v),
    "balance timeout_s": lambda v: MTSICSBalance("ASRL1::INSTR", timeout_s=v),
    "steps_per_mm": lambda v: GrblSyringe(None, steps_per_mm=v, diameter_mm=14.43, max_rate_ul_per_h=100.0),
    "travel_mm": lambda v: GrblSyringe(None, 3200.0, 14.43, 100.0, travel_mm=v),
    "min_feed_mm_per_min": lambda v: GrblSyringe(None, 3200.0, 14.43, 100.0, min_feed_mm_per_min=v),
    "max_rate_ul_per_h": lambda v: NE1000Pump(None, max_rate_ul_per_h=v),
    "heartbeat_interval_s": lambda v: NE1000Pump(None, heartbeat_interval_s=v),
    "rate_ul_per_h": lambda v: check_rate_ul_per_h(v, 100.0),
    "volume_ul": lambda v: check_target_volume_ul(v),
    "interval_s": lambda v: NE1000Link(None, 0, 1.0, 1).start_heartbeat(v),
}


@pytest.mark.parametrize("value", BAD, ids=repr)
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_number_is_refused_by_name(name, value):
    with pytest.raises(ValueError, match=f"{name.split()[-1]} must be a positive number.*got {value!r}"):
        CASES[name](value)


def test_real_numbers_of_any_type_are_accepted():
    assert check_rate_ul_per_h(np.float32(5.0), 100.0) is None and check_target_volume_ul(np.int64(5)) is None
