"""GrblSyringe against hil.emulators.EmulatedGrbl over a real pty (public emulator API only)."""
from __future__ import annotations

import math

import pytest

from drivers.errors import DeviceDisconnected, DeviceTimeout, LimitExceeded
from drivers.grbl import GrblSyringe
from drivers.transport import SerialTransport
from firmware_sim.clock import VirtualClock, WallClock

pytestmark = pytest.mark.timeout(60)
DIAMETER_MM = 4.699
AREA_MM2 = math.pi * DIAMETER_MM**2 / 4


@pytest.fixture()
def emulator():
    from hil.emulators.grbl import EmulatedGrbl

    started = []

    def make(clock=None, **overrides):
        device = EmulatedGrbl(clock or WallClock(), syringe_diameter_mm=DIAMETER_MM, **overrides)
        started.append(device)
        return device, device.start()

    yield make
    for device in started:
        device.stop()


def open_syringe(path: str, **options) -> GrblSyringe:
    options = {"max_rate_ul_per_h": 20_000.0, "reply_timeout_s": 0.5, "poll_interval_s": 0.0,
               "hold_timeout_s": 2.0, **options}
    pump = GrblSyringe(SerialTransport(path, baudrate=115200, timeout_s=0.5), steps_per_mm=800.0,
                       diameter_mm=DIAMETER_MM, **options)
    pump.open()
    return pump


def test_infusion_rate_change_and_stop_in_virtual_time(emulator):
    clock = VirtualClock()
    _device, path = emulator(clock)
    pump = open_syringe(path)
    try:
        assert pump.grbl_version is not None
        pump.set_rate_ul_per_h(2000.0)  # 1.92 mm/min on a 4.699 mm plunger
        pump.clear_infused_volume()
        pump.start()
        clock.advance_s(60.0)
        status = pump.status()
        assert status.running and status.alarm is None
        assert status.infused_ul == pytest.approx(2000.0 / 60.0, rel=0.05)
        pump.set_rate_ul_per_h(4000.0)
        clock.advance_s(60.0)
        assert pump.status().infused_ul == pytest.approx(6000.0 / 60.0, rel=0.05)
        pump.stop()
        stopped = pump.status()
        clock.advance_s(60.0)
        assert pump.status().running is False
        assert pump.status().infused_ul == pytest.approx(stopped.infused_ul, abs=1e-6)
    finally:
        pump.close()


def test_target_volume_ends_the_move(emulator):
    clock = VirtualClock()
    _device, path = emulator(clock)
    pump = open_syringe(path)
    try:
        pump.set_rate_ul_per_h(6000.0)
        pump.set_target_volume_ul(20.0)
        pump.clear_infused_volume()
        pump.start()
        clock.advance_s(60.0)
        status = pump.status()
        assert status.running is False
        assert status.infused_ul == pytest.approx(20.0, abs=AREA_MM2 / 800.0 * 2)
    finally:
        pump.close()


@pytest.mark.requirements("SR-DRV-001")
def test_rig_maximum(emulator):
    _device, path = emulator()
    pump = open_syringe(path, max_rate_ul_per_h=3000.0)
    try:
        with pytest.raises(LimitExceeded):
            pump.set_rate_ul_per_h(3001.0)
    finally:
        pump.close()


@pytest.mark.requirements("SR-DRV-005")
def test_power_reset_is_reported(emulator):
    clock = VirtualClock()
    device, path = emulator(clock)
    pump = open_syringe(path)
    try:
        pump.set_rate_ul_per_h(2000.0)
        pump.start()
        clock.advance_s(10.0)
        device.inject_fault("power_reset")
        status = pump.status()
        assert status.alarm is not None and status.running is False
    finally:
        pump.close()


@pytest.mark.requirements("SR-DRV-002")
def test_dropped_and_disconnected_links_are_typed(emulator):
    device, path = emulator()
    pump = open_syringe(path)
    try:
        device.inject_fault("drop_bytes", direction="to_host", count=1000)
        with pytest.raises(DeviceTimeout):
            pump.status()
        device.inject_fault("disconnect")
        with pytest.raises((DeviceDisconnected, DeviceTimeout)):
            pump.status()
    finally:
        pump.close()
