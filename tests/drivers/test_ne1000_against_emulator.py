"""NE1000Pump against hil.emulators.EmulatedNE1000 over a real pty (public emulator API only)."""
from __future__ import annotations

import pytest

from drivers.errors import DeviceAlarm, DeviceDisconnected, DeviceTimeout, FramingError, LimitExceeded
from drivers.ne1000 import NE1000Pump
from drivers.transport import SerialTransport
from firmware_sim.clock import VirtualClock, WallClock

pytestmark = pytest.mark.timeout(60)


@pytest.fixture()
def emulator(serve_emulator):
    from hil.emulators.ne1000 import EmulatedNE1000

    def make(clock=None, **overrides):
        device = EmulatedNE1000(clock or WallClock(), **overrides)
        return device, serve_emulator(device)

    return make


@pytest.fixture()
def open_pump(opened):
    """open_pump(path, **options) -> an opened NE1000Pump, closed at teardown."""
    def open_(path: str, **options) -> NE1000Pump:
        options = {"max_rate_ul_per_h": 5000.0, "heartbeat": False, "reply_timeout_s": 0.3, **options}
        return opened(NE1000Pump(SerialTransport(path, timeout_s=0.3), **options))

    return open_


@pytest.fixture()
def open_driver(open_pump):
    """The opener conftest's on_virtual_clock uses here."""
    return open_pump


@pytest.mark.parametrize("safe_mode", [False, True], ids=["basic", "safe"])
def test_infusion_in_virtual_time(safe_mode, on_virtual_clock):
    clock, _device, pump = on_virtual_clock(safe_mode=safe_mode, safe_mode_timeout_s=255)
    assert pump.firmware is not None and pump.firmware.model == "1000"
    pump.set_syringe_diameter_mm(4.699)
    pump.set_rate_ul_per_h(100.0)
    pump.set_target_volume_ul(None)
    pump.clear_infused_volume()
    pump.start()
    clock.advance_s(60.0)
    status = pump.status()
    assert status.running and status.alarm is None
    assert status.infused_ul == pytest.approx(100.0 / 60.0, rel=0.02)
    pump.set_rate_ul_per_h(200.0)  # while running
    clock.advance_s(60.0)
    assert pump.status().infused_ul == pytest.approx(300.0 / 60.0, rel=0.02)
    assert pump.rate_writes_while_stopped == 1
    pump.stop()
    assert pump.status().running is False


def test_target_volume_ends_the_run(on_virtual_clock):
    clock, _device, pump = on_virtual_clock()
    pump.set_rate_ul_per_h(600.0)
    pump.set_target_volume_ul(5.0)
    pump.clear_infused_volume()
    pump.start()
    clock.advance_s(120.0)
    status = pump.status()
    assert status.running is False
    assert status.infused_ul == pytest.approx(5.0, abs=0.01)


@pytest.mark.requirements("SR-DRV-001")
def test_rig_maximum_holds_against_the_device(emulator, open_pump):
    _device, path = emulator()
    pump = open_pump(path, max_rate_ul_per_h=50.0)
    with pytest.raises(LimitExceeded):
        pump.set_rate_ul_per_h(51.0)
    assert pump.commanded_rate_ul_per_h is None


@pytest.mark.requirements("SR-DRV-005", "SR-DRV-007")
@pytest.mark.parametrize("safe_mode", [False, True], ids=["basic", "safe"])
def test_stall_is_reported_and_the_pump_is_left_stopped(safe_mode, on_virtual_clock):
    clock, device, pump = on_virtual_clock(safe_mode=safe_mode, safe_mode_timeout_s=255)
    pump.set_rate_ul_per_h(100.0)
    pump.start()
    clock.advance_s(10.0)
    device.inject_fault("stall")
    clock.advance_s(1.0)
    status = pump.status()
    assert status.alarm == "stall" and status.running is False
    pump.stop()
    assert pump.status().running is False


@pytest.mark.requirements("SR-DRV-005")
def test_power_reset_mid_run_raises_reset_alarm_and_pump_is_stopped(on_virtual_clock):
    clock, device, pump = on_virtual_clock()
    pump.set_rate_ul_per_h(100.0)
    pump.start()
    clock.advance_s(5.0)
    device.inject_fault("power_reset")
    with pytest.raises(DeviceAlarm) as raised:
        pump.set_rate_ul_per_h(120.0)
    assert raised.value.alarm == "reset"
    assert pump.status().running is False


@pytest.mark.requirements("SR-DRV-003")
def test_watchdog_expiry_stops_the_pump_and_is_reported(on_virtual_clock):
    clock, _device, pump = on_virtual_clock(safe_mode=True, safe_mode_timeout_s=5)
    pump.set_rate_ul_per_h(100.0)
    pump.start()
    clock.advance_s(6.0)  # the host "dies" for longer than the watchdog
    status = pump.status()
    assert status.alarm == "watchdog" and status.running is False


@pytest.mark.requirements("SR-DRV-003", "SR-DRV-005")
def test_a_watchdog_left_by_a_previous_host_is_a_finding_at_open_and_one_during_the_run_an_alarm(on_virtual_clock,
                                                                                                  open_pump):
    clock, device, first = on_virtual_clock(safe_mode=True, safe_mode_timeout_s=5)
    first.set_rate_ul_per_h(100.0)
    first.start()
    first.close()  # the first host stops talking without stopping the pump
    clock.advance_s(6.0)  # the watchdog fires: the pump stops itself, its alarm is pending
    assert device.pump_counted_ul()[0] == pytest.approx(100.0 * 5.0 / 3600.0, rel=0.02)
    second = open_pump(first.transport.url, safe_mode=True, safe_mode_timeout_s=5)
    assert first.open_findings == []
    assert len(second.open_findings) == 1 and "watchdog alarm (A?T) pending" in second.open_findings[0]
    status = second.status()
    assert status.alarm is None and status.running is False  # acknowledged at open: not reported again
    second.start()
    clock.advance_s(6.0)  # now this host goes quiet during its own run
    status = second.status()
    assert status.alarm == "watchdog" and status.running is False
    assert len(second.open_findings) == 1


@pytest.mark.requirements("SR-DRV-007")
@pytest.mark.parametrize("safe_mode", [False, True])
def test_a_pump_a_previous_host_left_running_is_stopped_at_open_and_said_so(on_virtual_clock, open_pump, safe_mode):
    clock, device, first = on_virtual_clock(safe_mode=safe_mode, safe_mode_timeout_s=30)
    first.set_rate_ul_per_h(100.0)
    first.start()
    first.close()  # the first host is gone; the pump runs on
    clock.advance_s(1.0)
    second = open_pump(first.transport.url, safe_mode=safe_mode, safe_mode_timeout_s=30)
    assert len(second.open_findings) == 1 and "NE-1000 was running at open (prompt I" in second.open_findings[0]
    counted_ul = device.pump_counted_ul()[0]
    clock.advance_s(10.0)
    assert device.pump_counted_ul()[0] == counted_ul and second.status().running is False


def test_the_diameter_is_read_back_and_the_one_the_pump_had_is_a_finding(on_virtual_clock):
    _clock, _device, pump = on_virtual_clock()
    pump.set_syringe_diameter_mm(14.43)
    assert pump.syringe_diameter_mm() == pytest.approx(14.43)
    assert pump.open_findings == ["NE-1000 was set for a 4.699 mm syringe; set to 14.43 mm"]


@pytest.mark.requirements("SR-DRV-003")
def test_heartbeat_keeps_the_watchdog_fed_in_wall_time(emulator, open_pump):
    import time

    _device, path = emulator(WallClock())
    pump = open_pump(path, safe_mode=True, safe_mode_timeout_s=1, heartbeat=True, heartbeat_interval_s=0.3)
    pump.set_rate_ul_per_h(100.0)
    pump.start()
    time.sleep(1.6)
    status = pump.status()
    assert status.alarm is None and status.running
    pump.stop()


@pytest.mark.requirements("SR-DRV-004")
def test_corrupted_reply_in_safe_mode_is_a_framing_error_and_the_link_recovers(emulator, open_pump):
    device, path = emulator()
    pump = open_pump(path, safe_mode=True, safe_mode_timeout_s=255)
    device.inject_fault("corrupt_bytes", direction="to_host", count=1, skip_bytes=3)
    with pytest.raises(FramingError):
        pump.status()
    assert pump.status().running is False


@pytest.mark.requirements("SR-DRV-004")
def test_corrupted_request_in_safe_mode_gets_com_and_is_retried(emulator, open_pump):
    device, path = emulator()
    pump = open_pump(path, safe_mode=True, safe_mode_timeout_s=255, com_retries=1)
    device.inject_fault("corrupt_bytes", direction="from_host", count=1, skip_bytes=3)
    pump.set_rate_ul_per_h(100.0)
    assert pump.commanded_rate_ul_per_h == 100.0


@pytest.mark.requirements("SR-DRV-002")
def test_dropped_reply_is_a_timeout(emulator, open_pump):
    device, path = emulator()
    pump = open_pump(path)
    device.inject_fault("drop_bytes", direction="to_host", count=100)
    with pytest.raises(DeviceTimeout):
        pump.status()


@pytest.mark.requirements("SR-DRV-002")
def test_disconnect_is_typed(emulator, open_pump):
    device, path = emulator()
    pump = open_pump(path)
    device.inject_fault("disconnect")
    with pytest.raises(DeviceDisconnected):
        pump.status()


@pytest.mark.requirements("SR-DRV-005", "SR-DRV-007")
@pytest.mark.parametrize("safe_mode", [False, True], ids=["basic", "safe"])
def test_occlusion_stalls_after_the_compliance_and_the_pump_is_left_stopped(safe_mode, on_virtual_clock):
    clock, device, pump = on_virtual_clock(safe_mode=safe_mode, safe_mode_timeout_s=255)
    pump.set_rate_ul_per_h(600.0)  # 10 uL/min
    pump.set_target_volume_ul(None)
    pump.clear_infused_volume()
    pump.start()
    clock.advance_s(10.0)
    before_ul = device.dispensed_volume_ul()
    device.inject_fault("occlusion", compliance_ul=0.5)
    clock.advance_s(10.0)  # the line takes up 0.5 uL in 3 s, then the motor stalls
    status = pump.status()
    assert status.alarm == "stall" and status.running is False
    assert status.infused_ul == pytest.approx(before_ul + 0.5, abs=0.01)  # counted, but not delivered
    assert device.dispensed_volume_ul() == pytest.approx(before_ul)
    pump.stop()
    clock.advance_s(600.0)
    assert pump.status().running is False
    assert device.dispensed_volume_ul() == pytest.approx(before_ul)  # nothing runs unobserved
    device.inject_fault("clear_occlusion")  # the compressed 0.5 uL comes out as a bolus, then nothing
    assert device.dispensed_volume_ul() == pytest.approx(before_ul + 0.5)
    clock.advance_s(600.0)
    assert device.dispensed_volume_ul() == pytest.approx(before_ul + 0.5)


@pytest.mark.requirements("SR-DRV-002")
def test_reply_delayed_within_the_timeout_is_read(emulator, open_pump):
    device, path = emulator(VirtualClock())
    pump = open_pump(path, reply_timeout_s=1.0)
    device.inject_fault("delay_bytes", delay_s=0.2)
    pump.set_rate_ul_per_h(100.0)
    assert pump.commanded_rate_ul_per_h == 100.0
    assert pump.status().running is False


@pytest.mark.requirements("SR-DRV-002", "SR-DRV-007")
@pytest.mark.parametrize("safe_mode", [False, True], ids=["basic", "safe"])
def test_start_reply_delayed_past_the_timeout_is_a_timeout_and_the_running_pump_stays_observable(
        safe_mode, on_virtual_clock):
    import time

    clock, device, pump = on_virtual_clock(safe_mode=safe_mode, safe_mode_timeout_s=255, reply_timeout_s=0.2)
    pump.set_rate_ul_per_h(600.0)
    pump.set_target_volume_ul(None)
    pump.clear_infused_volume()
    device.inject_fault("delay_bytes", delay_s=0.5)
    with pytest.raises(DeviceTimeout):
        pump.start()  # the pump did start: only its reply is late
    time.sleep(0.5)  # the late reply lands in the input buffer
    clock.advance_s(60.0)
    status = pump.status()  # not the stale reply to RUN
    assert status.running is True and status.alarm is None
    assert status.infused_ul == pytest.approx(10.0, rel=0.02)
    pump.stop()
    stopped_ul = device.dispensed_volume_ul()
    clock.advance_s(600.0)
    assert pump.status().running is False
    assert device.dispensed_volume_ul() == pytest.approx(stopped_ul)
