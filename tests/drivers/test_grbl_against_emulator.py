"""GrblSyringe against hil.emulators.EmulatedGrbl over a real pty (public emulator API only)."""
from __future__ import annotations

import math

import pytest

from drivers.errors import DeviceAlarm, DeviceDisconnected, DeviceTimeout, FramingError, LimitExceeded, ProtocolError
from drivers.grbl import GrblSyringe
from drivers.grbl_protocol import GrblCommandError
from drivers.transport import SerialTransport
from firmware_sim.clock import VirtualClock, WallClock

pytestmark = pytest.mark.timeout(60)
DIAMETER_MM = 4.699
AREA_MM2 = math.pi * DIAMETER_MM**2 / 4


@pytest.fixture()
def emulator(serve_emulator):
    from hil.emulators.grbl import EmulatedGrbl

    def make(clock=None, **overrides):
        device = EmulatedGrbl(clock or WallClock(), syringe_diameter_mm=DIAMETER_MM, **overrides)
        return device, serve_emulator(device)

    return make


@pytest.fixture()
def open_syringe(opened):
    """open_syringe(path, **options) -> an opened GrblSyringe, closed at teardown."""
    def open_(path: str, **options) -> GrblSyringe:
        options = {"max_rate_ul_per_h": 20_000.0, "reply_timeout_s": 0.5, "poll_interval_s": 0.0,
                   "hold_timeout_s": 2.0, **options}
        return opened(GrblSyringe(SerialTransport(path, baudrate=115200, timeout_s=0.5), steps_per_mm=800.0,
                                  diameter_mm=DIAMETER_MM, **options))

    return open_


@pytest.fixture()
def open_driver(open_syringe):
    """The opener conftest's on_virtual_clock uses here."""
    return open_syringe


def test_infusion_rate_change_and_stop_in_virtual_time(on_virtual_clock):
    clock, _device, pump = on_virtual_clock()
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


def test_target_volume_ends_the_move(on_virtual_clock):
    clock, _device, pump = on_virtual_clock()
    pump.set_rate_ul_per_h(6000.0)
    pump.set_target_volume_ul(20.0)
    pump.clear_infused_volume()
    pump.start()
    clock.advance_s(60.0)
    status = pump.status()
    assert status.running is False
    assert status.infused_ul == pytest.approx(20.0, abs=AREA_MM2 / 800.0 * 2)


@pytest.mark.requirements("SR-DRV-001")
def test_rig_maximum(emulator, open_syringe):
    _device, path = emulator()
    pump = open_syringe(path, max_rate_ul_per_h=3000.0)
    with pytest.raises(LimitExceeded):
        pump.set_rate_ul_per_h(3001.0)


@pytest.mark.requirements("SR-DRV-005")
def test_power_reset_is_reported(on_virtual_clock):
    clock, device, pump = on_virtual_clock()
    pump.set_rate_ul_per_h(2000.0)
    pump.start()
    clock.advance_s(10.0)
    device.inject_fault("power_reset")
    status = pump.status()
    assert status.alarm is not None and status.running is False


def test_rate_change_after_an_unrequested_reset_refuses_instead_of_repeating_the_move(on_virtual_clock):
    # the reset puts the position back to 0: counting the rest of the move from there would run it all again
    clock, device, pump = on_virtual_clock()
    pump.set_target_volume_ul(20.0)
    pump.set_rate_ul_per_h(6000.0)
    pump.start()
    clock.advance_s(6.0)  # 10 uL of the 20 uL move
    device.inject_fault("power_reset")
    with pytest.raises(DeviceAlarm, match="reset"):
        pump.set_rate_ul_per_h(3000.0)
    clock.advance_s(60.0)
    assert device.dispensed_volume_ul() == pytest.approx(10.0, abs=0.05)
    assert not pump.status().running


@pytest.mark.requirements("SR-DRV-002")
def test_dropped_and_disconnected_links_are_typed(emulator, open_syringe):
    device, path = emulator()
    pump = open_syringe(path)
    device.inject_fault("drop_bytes", direction="to_host", count=1000)
    with pytest.raises(DeviceTimeout):
        pump.status()
    device.inject_fault("disconnect")
    with pytest.raises((DeviceDisconnected, DeviceTimeout)):
        pump.status()


def assert_stopped_and_still(pump, device, clock, advance_s=600.0):
    """The syringe is idle and stays so: neither GRBL's position nor the physical outflow moves on."""
    status = pump.status()
    assert status.running is False
    position_mm, outflow_ul = device.position_mm(), device.dispensed_volume_ul()
    clock.advance_s(advance_s)
    assert pump.status().running is False
    assert device.position_mm() == position_mm
    assert device.dispensed_volume_ul() == pytest.approx(outflow_ul, abs=1e-9)


@pytest.mark.requirements("SR-DRV-007")
def test_stall_is_invisible_to_grbl_but_not_to_the_balance_and_stop_leaves_it_idle(
        emulator, serve_emulator, open_syringe):
    """GRBL is open loop: a stalled stepper still reports Run and a growing position (the protocol's
    state). The loss shows on the balance; stop() must still leave no queued motion behind."""
    from drivers.mtsics import MTSICSBalance
    from hil.emulators.balance import EmulatedBalance

    clock = VirtualClock()
    device, path = emulator(clock)
    scale = EmulatedBalance(clock, device.dispensed_volume_ul, noise_sd_g=0.0)
    pump = open_syringe(path)
    with MTSICSBalance(f"ASRL{serve_emulator(scale)}::INSTR", timeout_s=0.5) as balance:
        pump.set_rate_ul_per_h(6000.0)  # 100 uL/min
        pump.clear_infused_volume()
        pump.start()
        clock.advance_s(6.0)
        device.inject_fault("stall")
        stalled_ul = device.dispensed_volume_ul()
        stalled_g = balance.read_stable_mass_g()
        clock.advance_s(30.0)
        status = pump.status()
        assert status.running is True and status.alarm is None  # GRBL cannot tell
        assert status.infused_ul == pytest.approx(stalled_ul + 50.0, rel=0.05)
        assert device.dispensed_volume_ul() == pytest.approx(stalled_ul)
        assert balance.read_stable_mass_g() == pytest.approx(stalled_g, abs=2e-4)  # nothing delivered
        pump.stop()
        device.inject_fault("clear_stall")  # the motor could move again: no queued move may resume
        assert_stopped_and_still(pump, device, clock)


@pytest.mark.requirements("SR-DRV-007")
def test_occlusion_delivers_nothing_after_the_compliance_and_stop_leaves_it_idle(on_virtual_clock):
    clock, device, pump = on_virtual_clock()
    pump.set_rate_ul_per_h(6000.0)
    pump.start()
    clock.advance_s(6.0)
    before_ul = device.dispensed_volume_ul()
    device.inject_fault("occlusion", compliance_ul=2.0)
    clock.advance_s(30.0)
    assert pump.status().running is True  # open loop: the controller still runs the move
    assert device.dispensed_volume_ul() == pytest.approx(before_ul)
    pump.stop()
    assert_stopped_and_still(pump, device, clock)
    device.inject_fault("clear_occlusion")  # the compressed compliance comes out once, then nothing
    assert device.dispensed_volume_ul() == pytest.approx(before_ul + 2.0, abs=1e-6)
    clock.advance_s(600.0)
    assert device.dispensed_volume_ul() == pytest.approx(before_ul + 2.0, abs=1e-6)


@pytest.mark.requirements("SR-DRV-004")
@pytest.mark.parametrize("skip_bytes, error", [(0, ProtocolError), (1, FramingError), (7, FramingError)],
                         ids=["start", "state", "position-field"])
def test_corrupted_status_report_is_typed_and_the_link_recovers(skip_bytes, error, on_virtual_clock):
    clock, device, pump = on_virtual_clock()
    pump.set_rate_ul_per_h(6000.0)
    pump.clear_infused_volume()
    pump.start()
    clock.advance_s(6.0)
    device.inject_fault("corrupt_bytes", direction="to_host", count=1, skip_bytes=skip_bytes)
    with pytest.raises(error):
        pump.status()
    status = pump.status()
    assert status.running is True and status.infused_ul == pytest.approx(10.0, rel=0.05)
    pump.stop()
    assert_stopped_and_still(pump, device, clock)


@pytest.mark.requirements("SR-DRV-004", "SR-DRV-007")
def test_corrupted_command_is_rejected_and_nothing_moves(on_virtual_clock):
    clock, device, pump = on_virtual_clock()
    pump.set_rate_ul_per_h(6000.0)
    # start() sends "?" then "G21G91G1...": "G31" is rejected (error:20) and the whole block with it. GRBL has no
    # checksum: a flip that makes another valid word (G21 -> G20: inches) is accepted; only the reply can tell.
    device.inject_fault("corrupt_bytes", direction="from_host", count=1, skip_bytes=2)
    with pytest.raises(GrblCommandError):
        pump.start()
    assert_stopped_and_still(pump, device, clock)
    pump.start()  # the link recovers
    clock.advance_s(6.0)
    assert pump.status().running is True
    pump.stop()
    assert_stopped_and_still(pump, device, clock)


@pytest.mark.requirements("SR-DRV-002")
def test_reply_delayed_within_the_timeout_is_read(on_virtual_clock):
    _clock, device, pump = on_virtual_clock()
    device.inject_fault("delay_bytes", delay_s=0.2)
    assert pump.status().running is False


@pytest.mark.requirements("SR-DRV-002", "SR-DRV-007")
def test_status_delayed_past_the_timeout_is_a_timeout_and_not_read_as_the_next_report(on_virtual_clock):
    import time

    clock, device, pump = on_virtual_clock(reply_timeout_s=0.2)
    pump.set_rate_ul_per_h(6000.0)
    pump.clear_infused_volume()
    pump.start()
    device.inject_fault("delay_bytes", delay_s=0.5)
    with pytest.raises(DeviceTimeout):
        pump.status()
    time.sleep(0.5)  # the late report (0 uL) lands in the input buffer
    clock.advance_s(6.0)
    status = pump.status()
    assert status.running is True and status.infused_ul == pytest.approx(10.0, rel=0.05)
    pump.stop()
    assert_stopped_and_still(pump, device, clock)


@pytest.mark.requirements("SR-DRV-002", "SR-DRV-007")
def test_start_whose_first_reply_is_late_fails_typed_and_leaves_nothing_moving(on_virtual_clock):
    import time

    clock, device, pump = on_virtual_clock(reply_timeout_s=0.2)
    pump.set_rate_ul_per_h(6000.0)
    pump.clear_infused_volume()
    device.inject_fault("delay_bytes", delay_s=0.5)  # the report start() reads its start position from
    with pytest.raises(DeviceTimeout):
        pump.start()
    time.sleep(0.5)  # the late report lands in the input buffer
    assert_stopped_and_still(pump, device, clock)  # no move was sent
    pump.start()  # the retry reads a fresh report, not the stale one
    clock.advance_s(6.0)
    status = pump.status()
    assert status.running is True and status.infused_ul == pytest.approx(10.0, rel=0.05)
    pump.stop()
    assert_stopped_and_still(pump, device, clock)


def ticks(clock, pump, period_s, count):
    """A live host: `count` supervision ticks, one status() every period_s."""
    for _ in range(count):
        clock.advance_s(period_s)
        pump.status()


@pytest.mark.requirements("SR-DRV-010")
def test_a_host_that_stops_renewing_leaves_at_most_the_horizon_of_motion(on_virtual_clock):
    clock, device, pump = on_virtual_clock(motion_horizon_s=30.0)
    rate_ul_per_h = 6000.0  # 100 uL/min; a run without a target would be the whole 1000 uL syringe (10 min)
    pump.set_rate_ul_per_h(rate_ul_per_h)
    pump.start()
    ticks(clock, pump, 10.0, 6)  # the host lives for 60 s: motion is continuous
    assert device.dispensed_volume_ul() == pytest.approx(100.0, rel=0.01)
    clock.advance_s(600.0)  # the host is gone: nothing renews the queued motion
    overrun_ul = device.dispensed_volume_ul() - 100.0
    assert 0.0 <= overrun_ul <= rate_ul_per_h * 30.0 / 3600.0 + AREA_MM2 / 800.0 * 2  # the horizon, plus 2 steps
    # and it ran out what was queued: the horizon ahead of the position of the report before the last tick (a top-up
    # goes out in the same write as its `?`, sized from the previous report), i.e. 30 s less one 10 s tick
    assert overrun_ul == pytest.approx(rate_ul_per_h * (30.0 - 10.0) / 3600.0, rel=0.01)
    position_mm = device.position_mm()
    clock.advance_s(600.0)
    assert device.position_mm() == position_mm  # the stepper stands still


@pytest.mark.requirements("SR-DRV-010")
def test_renewed_runs_reach_the_target_exactly_and_rate_changes_still_apply(on_virtual_clock):
    clock, device, pump = on_virtual_clock(motion_horizon_s=5.0)
    pump.set_rate_ul_per_h(6000.0)
    pump.set_target_volume_ul(60.0)
    pump.clear_infused_volume()
    pump.start()
    ticks(clock, pump, 2.0, 6)  # 20 uL in 12 s, in blocks of at most 5 s
    pump.set_rate_ul_per_h(12_000.0)  # the rest (40 uL) at 200 uL/min: 12 s
    ticks(clock, pump, 2.0, 10)
    status = pump.status()
    assert status.running is False
    assert status.infused_ul == pytest.approx(60.0, abs=AREA_MM2 / 800.0 * 2)
    assert device.dispensed_volume_ul() == pytest.approx(60.0, abs=AREA_MM2 / 800.0 * 2)


@pytest.mark.requirements("SR-DRV-007", "SR-DRV-010")
def test_motion_a_previous_host_left_queued_is_held_before_the_reset_at_open_not_locked_in_alarm(on_virtual_clock,
                                                                                                 open_syringe):
    clock, device, first = on_virtual_clock(motion_horizon_s=60.0)
    first.set_rate_ul_per_h(2000.0)
    first.start()
    first.close()  # the first host is gone with a minute of motion queued
    clock.advance_s(5.0)
    second = open_syringe(first.transport.url)  # a bare soft reset here would lock GRBL (ALARM:3, position lost)
    assert len(second.open_findings) == 1 and "GRBL was in Run at open" in second.open_findings[0]
    x_mm = device.position_mm()[0]
    clock.advance_s(10.0)
    assert device.position_mm()[0] == x_mm
    second.set_rate_ul_per_h(2000.0)
    second.start()  # and it runs again for this host
    clock.advance_s(30.0)
    assert second.status().running and device.position_mm()[0] > x_mm
