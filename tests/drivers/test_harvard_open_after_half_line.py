"""A previous host that left part of a command in the pump (`irat` and no CR) does not make the next open fail: the
pump refuses the joined line, the driver asks `ver` again and says so in open_findings."""
from __future__ import annotations

import time

import serial

from drivers.harvard import HarvardPump
from drivers.transport import SerialTransport
from firmware_sim.clock import WallClock
from hil.emulators.harvard import EmulatedHarvard


def test_open_after_a_host_left_half_a_command_asks_ver_again_and_says_so():
    pump = EmulatedHarvard(WallClock())
    path = pump.start()
    try:
        left = serial.Serial(path, 115200, timeout=0.2)
        left.write(b"irat")  # no CR: the pump keeps it as the start of a line
        time.sleep(0.1)
        left.close()
        driver = HarvardPump(SerialTransport(path, baudrate=115200))
        driver.open()
        try:
            assert driver.version
            assert any("part of a line a previous host left" in finding for finding in driver.open_findings)
            assert driver.status().running is False
        finally:
            driver.close()
    finally:
        pump.stop()
