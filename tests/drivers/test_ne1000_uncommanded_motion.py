"""NE1000Pump only ever infuses: a pump found withdrawing (prompt W) or purging (X) is an alarm in every status that
finds it, never reported as normal infusion."""
from __future__ import annotations

import functools

import pytest

from drivers.ne1000 import NE1000Pump
from drivers.scripted import expected_exchange
from ne1000_frames import basic_reply as br
from ne1000_frames import basic_request as bq
from ne1000_frames import open_script

pytestmark = pytest.mark.timeout(30)


def basic_pump(**options):
    return functools.partial(NE1000Pump, max_rate_ul_per_h=5000.0, **options)


@pytest.mark.parametrize("prompt, alarm", [("W", "wrong_direction"), ("X", "purging")])
def test_a_pump_withdrawing_or_purging_after_run_is_an_alarm_in_every_status(prompt, alarm):
    dis = (bq("DIS"), br(f"00{prompt}I0.000W5.000UL"))
    script = open_script() + [(bq("RUN"), br(f"00{prompt}")), dis, dis]
    with expected_exchange(basic_pump(), script) as pump:
        pump.start()
        for _ in range(2):
            status = pump.status()
            assert (status.running, status.infused_ul, status.alarm) == (True, 0.0, alarm)


def test_an_infusing_pump_still_reports_no_alarm_and_a_device_alarm_comes_first():
    script = open_script() + [(bq("DIS"), br("00II1.000W0.000UL")), (bq("DIS"), br("00A?S")),
                              (bq("DIS"), br("00WI1.000W0.000UL")), (bq("DIS"), br("00WI1.000W0.000UL"))]
    with expected_exchange(basic_pump(), script) as pump:
        assert pump.status().alarm is None
        assert pump.status().alarm == "stall"  # acknowledged first, the withdrawal seen after it waits
        assert pump.status().alarm == "wrong_direction"
