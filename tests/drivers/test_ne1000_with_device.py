"""Real NE-1000 pump: runs only with --ne1000-url (e.g. /dev/ttyUSB0 or spy:///dev/ttyUSB0?file=trace.txt)."""
from __future__ import annotations

import pytest

from drivers.ne1000 import NE1000Pump
from drivers.transport import SerialTransport

pytestmark = [pytest.mark.device, pytest.mark.timeout(120)]


@pytest.fixture()
def url(request):
    value = request.config.getoption("--ne1000-url")
    if not value:
        pytest.skip("no --ne1000-url given")
    return value


@pytest.mark.parametrize("safe_mode", [False, True], ids=["basic", "safe"])
def test_open_status_rate_and_stop(url, safe_mode):
    with NE1000Pump(SerialTransport(url, baudrate=19200), safe_mode=safe_mode, max_rate_ul_per_h=1000.0) as pump:
        assert pump.firmware is not None
        pump.set_rate_ul_per_h(100.0)
        pump.stop()
        assert pump.status().running is False
