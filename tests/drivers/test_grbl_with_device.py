"""Real GRBL stepper syringe: runs only with --grbl-url. Moves nothing; reads state and settings."""
from __future__ import annotations

import pytest

from drivers.grbl import GrblSyringe
from drivers.transport import SerialTransport

pytestmark = [pytest.mark.device, pytest.mark.timeout(60)]


def test_open_and_status(request):
    url = request.config.getoption("--grbl-url")
    if not url:
        pytest.skip("no --grbl-url given")
    steps_per_mm = None  # unknown rig mechanics: do not check $100
    pump = GrblSyringe(SerialTransport(url, baudrate=115200, timeout_s=2.0), steps_per_mm=steps_per_mm or 800.0,
                       diameter_mm=4.699, max_rate_ul_per_h=1000.0, banner_wait_s=2.5,
                       verify_settings=steps_per_mm is not None)
    with pump:
        assert pump.grbl_version is not None
        assert pump.status().running is False
