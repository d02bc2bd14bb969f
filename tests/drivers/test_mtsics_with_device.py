"""Real MT-SICS balance: runs only with --balance-resource (e.g. ASRL/dev/ttyUSB1::INSTR)."""
from __future__ import annotations

import math

import pytest

from drivers.mtsics import MTSICSBalance

pytestmark = [pytest.mark.device, pytest.mark.timeout(60)]


def test_serial_number_and_immediate_weight(request):
    resource = request.config.getoption("--balance-resource")
    if not resource:
        pytest.skip("no --balance-resource given")
    with MTSICSBalance(resource, backend="@py", timeout_s=3.0) as balance:
        assert balance.serial_number()
        reading = balance.read_mass_immediately()
        assert math.isfinite(reading.mass_g)
