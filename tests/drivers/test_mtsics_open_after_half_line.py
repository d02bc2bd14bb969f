"""A previous host that left part of a command in the balance (`S` and no CR LF) does not fail the first reading: the
balance answers the joined line with ES, the driver asks once more and says so in open_findings. A later ES is an
error as before."""
from __future__ import annotations

import time

import pytest
import serial

from drivers.mtsics import BalanceCommandError, MTSICSBalance
from firmware_sim.clock import WallClock
from hil.emulators.balance import EmulatedBalance


@pytest.fixture()
def balance_left_half_a_command():
    balance = EmulatedBalance(WallClock())
    path = balance.start()
    left = serial.Serial(path, 9600, timeout=0.2)
    left.write(b"S")  # no CR LF: the balance keeps it as the start of a line
    time.sleep(0.1)
    left.close()
    driver = MTSICSBalance(f"ASRL{path}::INSTR")
    driver.open()
    yield driver
    driver.close()
    balance.stop()


def test_the_first_reading_after_a_half_command_is_asked_again_and_said(balance_left_half_a_command):
    driver = balance_left_half_a_command
    assert driver.read_mass_immediately().mass_g == pytest.approx(0.0, abs=1e-3)
    assert any("part of a line a previous host left" in finding for finding in driver.open_findings)


def test_an_es_after_the_first_command_is_still_an_error(balance_left_half_a_command):
    driver = balance_left_half_a_command
    driver.read_mass_immediately()
    with pytest.raises(BalanceCommandError, match="with ES"):
        driver._query("XYZ")  # a command the balance does not know
