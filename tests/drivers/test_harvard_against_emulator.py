"""HarvardPump against hil.emulators.EmulatedHarvard over a real pty (public emulator API only), with faults."""
from __future__ import annotations

import pytest

from drivers.errors import DeviceDisconnected, DeviceTimeout, DriverError, FramingError, TransportError
from drivers.harvard import HarvardPump
from drivers.syringe_pump import PumpStatus
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


def ticks(clock: VirtualClock, pump: HarvardPump, period_s: float, count: int) -> PumpStatus:
    """count status reads period_s apart, as the firmware's supervision makes them; the last status."""
    status = None
    for _ in range(count):
        clock.advance_s(period_s)
        status = pump.status()
        assert status.alarm is None, (clock.now_s(), status)
    assert status is not None
    return status


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
    status = ticks(clock, pump, 60.0, 60)  # the host reads the pump every minute, as the firmware's supervision does
    assert status.running and status.alarm is None
    assert status.infused_ul == pytest.approx(100.0, abs=0.1)
    pump.set_rate_ul_per_h(200.0)  # applied while running
    assert ticks(clock, pump, 60.0, 30).infused_ul == pytest.approx(200.0, abs=0.1)
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


@pytest.mark.requirements("SR-DRV-013")
def test_a_host_that_stops_reading_leaves_the_pump_at_most_the_horizon_of_infusion(rig):
    clock, device, pump = rig({"dead_host_horizon_s": 180.0})
    start_infusion(pump, 600.0)  # 10 uL/min: the horizon is 30 uL
    ticks(clock, pump, 60.0, 10)  # the host lives for 10 min: 100 uL, continuous
    assert device.dispensed_volume_ul() == pytest.approx(100.0)
    clock.advance_s(3600.0)  # the host is gone: nothing raises the target
    assert device.prompt() == "T*"  # the pump stopped itself at its target
    overrun_ul = device.dispensed_volume_ul() - 100.0
    assert 0.0 < overrun_ul <= 600.0 * 180.0 / 3600.0 * (1 + 1e-6)
    # the last read (at 10 min) had less than half the horizon left and raised the target 3 min ahead of 100 uL
    assert overrun_ul == pytest.approx(30.0)
    clock.advance_s(3600.0)
    assert device.dispensed_volume_ul() == pytest.approx(100.0 + overrun_ul)  # and stays stopped


@pytest.mark.requirements("SR-DRV-013")
def test_a_long_run_with_rate_changes_is_topped_up_every_other_read_and_never_stops_at_the_horizon(rig):
    clock, device, pump = rig({"dead_host_horizon_s": 180.0})
    start_infusion(pump, 60.0)
    sent: list[bytes] = []
    write = pump.transport.write
    pump.transport.write = lambda data: (sent.append(data), write(data))[1]  # type: ignore[method-assign]
    ticks(clock, pump, 60.0, 24 * 60)  # a day at 60 uL/h, read every minute
    assert device.dispensed_volume_ul() == pytest.approx(1440.0)
    top_ups = [line for line in sent if line.startswith(b"tvolume")]
    assert len(sent) == 24 * 60 + len(top_ups) and len(top_ups) == pytest.approx(24 * 60 / 2, abs=2)  # every other read
    pump.set_rate_ul_per_h(3000.0)  # a bolus rate, 50x: the target moves with it at once
    ticks(clock, pump, 60.0, 10)
    pump.set_rate_ul_per_h(30.0)
    ticks(clock, pump, 60.0, 120)
    pump.stop()
    assert device.dispensed_volume_ul() == pytest.approx(1440.0 + 500.0 + 60.0)
    assert pump.status().infused_ul == pytest.approx(2000.0, abs=0.1)


@pytest.mark.requirements("SR-DRV-013", "SR-DRV-005")
def test_a_host_that_reads_later_than_its_horizon_is_told_by_an_alarm(rig):
    clock, device, pump = rig({"dead_host_horizon_s": 180.0})
    start_infusion(pump, 600.0)
    clock.advance_s(240.0)  # a read one minute later than the horizon allows
    status = pump.status()
    assert (status.running, status.alarm) == (False, "dead_host_horizon_reached")
    assert device.dispensed_volume_ul() == pytest.approx(30.0)
