"""Make the byte-builder helpers next to these tests importable (pytest runs with --import-mode=importlib)."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


import pytest  # noqa: E402

from firmware_sim.clock import VirtualClock  # noqa: E402


@pytest.fixture()
def serve_emulator():
    """serve_emulator(device) -> pty path: start an emulator on a pty; every one started is stopped at teardown."""
    started = []

    def start(device):
        started.append(device)
        return device.start()

    yield start
    for device in started:
        device.stop()


@pytest.fixture()
def opened():
    """opened(driver) -> the driver, opened now; every one opened is closed at teardown (all of them, last first)."""
    with contextlib.ExitStack() as stack:
        def open_(driver):
            driver.open()
            stack.callback(driver.close)
            return driver

        yield open_


@pytest.fixture()
def on_virtual_clock(emulator, open_driver):
    """on_virtual_clock(**driver_options) -> (clock, device, driver): an emulator on a new virtual clock and an
    opened driver talking to it (each test module defines `emulator` and `open_driver`)."""
    def make(**driver_options):
        clock = VirtualClock()
        device, path = emulator(clock)
        return clock, device, open_driver(path, **driver_options)

    return make
