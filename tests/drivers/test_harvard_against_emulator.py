"""HarvardPump against hil.emulators.EmulatedHarvard over a real pty (public emulator API only), with faults."""
from __future__ import annotations

import pytest

from drivers.errors import DeviceDisconnected, DeviceTimeout, DriverError, FramingError, TransportError
from drivers.harvard import HarvardPump
from drivers.transport import SerialTransport
from firmware_sim.clock import VirtualClock

pytestmark = pytest.mark.timeout(60)


@pytest.fixture()
def rig(serve_emulator, opened):
    """rig(driver_options, **emulator_overrides) -> (clock, device, opened driver) on a new virtual clock."""
    from hil.emulators import EmulatedHarvard

    def make(driver_options=None, **overrides):
        clock = VirtualClock()
        device = EmulatedHarvard(clock, **overrides)
        path = serve_emulator(device)
        options = {"max_rate_ul_per_h": 5000.0, "reply_timeout_s": 0.5, **(driver_options or {})}
        return clock, device, opened(HarvardPump(SerialTransport(path, baudrate=115200, timeout_s=0.5), **options))

    return make


def start_infusion(pump: HarvardPump, rate_ul_per_h: float = 100.0) -> None:
    pump.set_syringe_diameter_mm(14.43)
    pump.set_rate_ul_per_h(rate_ul_per_h)
    pump.clear_infused_volume()
    pump.start()


@pytest.mark.parametrize("dialect, address", [("phd_ultra", 0), ("phd_ultra", 7), ("legato", 12)])
@pytest.mark.parametrize("text_line_address", [True, False])
def test_infusion_in_virtual_time(dialect, address, text_line_address, rig):
    clock, device, pump = rig({"dialect": dialect, "address": address, "text_line_address": text_line_address},
                              dialect=dialect, address=address, text_line_address=text_line_address)
    assert pump.version == "11 ELITE I/W Single 3.0.4"
    start_infusion(pump)
    clock.advance_s(3600.0)
    status = pump.status()
    assert status.running and status.alarm is None
    assert status.infused_ul == pytest.approx(100.0, abs=0.1)
    pump.set_rate_ul_per_h(200.0)  # applied while running
    clock.advance_s(1800.0)
    assert pump.status().infused_ul == pytest.approx(200.0, abs=0.1)
    assert pump.infusion_rate_ul_per_h() == 200.0
    pump.stop()
    assert pump.status().running is False
    assert device.pump_counted_ul()[0] == pytest.approx(200.0)
    assert device.dispensed_volume_ul() == pytest.approx(200.0)


@pytest.mark.requirements("SR-DRV-005")
@pytest.mark.parametrize("fault", ["stall", "occlusion"])
def test_stall_and_occlusion_are_reported_as_a_stall(fault, rig):
    clock, device, pump = rig()
    start_infusion(pump, 3600.0)
    device.inject_fault(fault, **({"compliance_ul": 1.0} if fault == "occlusion" else {}))
    clock.advance_s(5.0)
    status = pump.status()
    assert (status.running, status.alarm) == (False, "stall")
    pump.stop()
    assert pump.status().alarm is None


@pytest.mark.requirements("SR-DRV-005")
def test_power_reset_is_reported_as_an_unexpected_stop(rig):
    clock, device, pump = rig()
    start_infusion(pump)
    clock.advance_s(60.0)
    device.inject_fault("power_reset")
    status = pump.status()
    assert (status.running, status.alarm) == (False, "unexpected_stop")


@pytest.mark.requirements("SR-DRV-002", "SR-DRV-004")
@pytest.mark.parametrize("fault, params, error", [
    ("disconnect", {}, (DeviceDisconnected, TransportError)),
    ("corrupt_bytes", {"count": 1, "skip_bytes": 4, "xor_mask": 0x80}, FramingError),  # a non-ASCII byte
    ("drop_bytes", {"count": 1, "skip_bytes": 17}, DeviceTimeout),  # the prompt ">" of "\n00 0.0000 ml\r\n00>"
    ("delay_bytes", {"delay_s": 1.0}, DeviceTimeout),
])
def test_link_faults_become_typed_errors_and_the_driver_never_hangs(fault, params, error, rig):
    _clock, device, pump = rig()
    start_infusion(pump)
    device.inject_fault(fault, **params)
    with pytest.raises(error):
        pump.status()
    if fault != "disconnect":  # the link recovers: the next exchange works
        try:
            pump.status()
        except DriverError:
            pump.status()  # a late reply was taken as this one's: at most one more exchange is lost
        assert pump.status().running
