"""MTSICSBalance (pyvisa-py, ASRL<pty>::INSTR) against hil.emulators.EmulatedBalance over a real pty.

The balance is linked to a volume source (a plain callable, or an EmulatedNE1000 driven by NE1000Pump)
and runs on a VirtualClock; S, Z and T move that clock on by themselves while they wait for stability.
"""
from __future__ import annotations

import time

import pytest

from drivers.errors import DeviceAlarm, DeviceDisconnected, DeviceTimeout, FramingError, ProtocolError
from drivers.mtsics import MTSICSBalance
from firmware_sim.clock import VirtualClock

pytestmark = pytest.mark.timeout(60)
READABILITY_G = 0.0001


class VolumeSource:
    """A stand-in for a pump's outflow: what the test sets is what the balance weighs."""

    def __init__(self) -> None:
        self.volume_ul = 0.0

    def __call__(self) -> float:
        return self.volume_ul


@pytest.fixture()
def balance_rig(serve_emulator, opened):
    """balance_rig(**BalanceEmulatorConfig overrides) -> (clock, volume source, EmulatedBalance, open MTSICSBalance)."""
    from hil.emulators.balance import EmulatedBalance

    def make(clock=None, volume_source=None, *, timeout_s=0.5, **overrides):
        clock = clock or VirtualClock()
        volume_source = volume_source if volume_source is not None else VolumeSource()
        device = EmulatedBalance(clock, volume_source, **overrides)
        device.transact(b"")  # the power-up I4 before any host listens is lost, as on the real line
        path = serve_emulator(device)
        balance = opened(MTSICSBalance(f"ASRL{path}::INSTR", backend="@py", timeout_s=timeout_s))
        return clock, volume_source, device, balance

    return make


def test_identity_and_stable_reading_of_a_static_load(balance_rig):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    assert balance.serial_number() == "0123456789"
    assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=READABILITY_G)
    device.add_load_g(12.3456)
    assert balance.read_stable_mass_g() == pytest.approx(12.3456, abs=READABILITY_G)


def test_immediate_reading_during_settling_is_dynamic_and_stable_reading_waits(balance_rig):
    clock, _source, device, balance = balance_rig()
    device.add_load_g(10.0)  # a step: the display has to settle to it
    early = balance.read_mass_immediately()
    assert early.stable is False
    assert early.mass_g < 10.0 - 0.01  # still lagging behind the load
    t_before_s = clock.now_s()
    assert balance.read_stable_mass_g() == pytest.approx(10.0, abs=5 * READABILITY_G)
    assert clock.now_s() > t_before_s  # S waited for stability on the (virtual) clock
    settled = balance.read_mass_immediately()
    assert settled.stable is True
    assert settled.mass_g == pytest.approx(10.0, abs=5 * READABILITY_G)


def test_mass_follows_the_dispensed_volume_by_density(balance_rig):
    density_g_per_ml = 1.25
    clock, source, device, balance = balance_rig(density_g_per_ml=density_g_per_ml, noise_sd_g=0.0)
    start_g = balance.read_stable_mass_g()
    for volume_ul in (100.0, 250.0, 1000.0):
        source.volume_ul = volume_ul
        clock.advance_s(5.0)
        expected_g = density_g_per_ml * volume_ul / 1000.0
        assert balance.read_stable_mass_g() - start_g == pytest.approx(expected_g, abs=2 * READABILITY_G)
        assert device.true_net_mass_g() == pytest.approx(expected_g, abs=1e-9)


def test_mass_follows_a_pump_driven_through_its_own_driver(balance_rig, serve_emulator):
    from drivers.ne1000 import NE1000Pump
    from drivers.transport import SerialTransport
    from hil.emulators.ne1000 import EmulatedNE1000

    clock = VirtualClock()
    pump_device = EmulatedNE1000(clock, syringe_diameter_mm=4.699, syringe_volume_ul=1000.0)
    pump = NE1000Pump(SerialTransport(serve_emulator(pump_device), timeout_s=0.3),
                      max_rate_ul_per_h=5000.0, heartbeat=False, reply_timeout_s=0.3)
    _clock, _source, _device, balance = balance_rig(clock, pump_device.dispensed_volume_ul,
                                                    density_g_per_ml=1.0, noise_sd_g=0.0)
    pump.open()
    try:
        balance.zero()
        pump.set_rate_ul_per_h(600.0)
        pump.set_target_volume_ul(None)
        pump.start()
        clock.advance_s(30.0)  # 5 uL
        during_g = balance.read_stable_mass_g()
        assert during_g == pytest.approx(pump_device.dispensed_volume_ul() / 1000.0, abs=3 * READABILITY_G)
        assert during_g > 0.004
        pump.stop()
        stopped_g = balance.read_stable_mass_g()
        clock.advance_s(60.0)
        assert balance.read_stable_mass_g() == pytest.approx(stopped_g, abs=READABILITY_G)
        assert stopped_g == pytest.approx(pump.status().infused_ul / 1000.0, abs=3 * READABILITY_G)
    finally:
        pump.close()


def test_zero_takes_the_current_load_as_zero(balance_rig):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    device.add_load_g(5.0)
    assert balance.read_stable_mass_g() == pytest.approx(5.0, abs=READABILITY_G)
    balance.zero()
    assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=READABILITY_G)
    device.add_load_g(1.5)
    assert balance.read_stable_mass_g() == pytest.approx(1.5, abs=READABILITY_G)


def test_tare_returns_the_tare_mass_and_reset_clears_it(balance_rig):
    clock, source, device, balance = balance_rig(noise_sd_g=0.0)
    device.add_load_g(20.0)  # an empty beaker
    assert balance.tare_g() == pytest.approx(20.0, abs=READABILITY_G)
    assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=READABILITY_G)
    source.volume_ul = 2000.0
    clock.advance_s(5.0)
    assert balance.read_stable_mass_g() == pytest.approx(2.0, abs=READABILITY_G)
    assert balance.reset() == "0123456789"  # @ clears the tare
    assert balance.read_stable_mass_g() == pytest.approx(22.0, abs=READABILITY_G)


def test_streamed_readings_follow_the_load_until_stopped(balance_rig):
    clock, source, _device, balance = balance_rig(noise_sd_g=0.0)
    balance.start_stream()
    first = balance.read_streamed()
    assert first.mass_g == pytest.approx(0.0, abs=READABILITY_G)
    source.volume_ul = 1000.0
    readings = []
    for _ in range(2):  # one line per interval that the clock moves on (virtual time)
        clock.advance_s(10.0)
        readings.append(balance.read_streamed())
    assert readings[-1].mass_g == pytest.approx(1.0, abs=READABILITY_G)
    assert balance.stop_stream() == "0123456789"
    assert balance.streaming is False
    assert balance.read_mass_immediately().mass_g == pytest.approx(1.0, abs=READABILITY_G)


# --- device faults ------------------------------------------------------------------------------
@pytest.mark.requirements("SR-DRV-005")
@pytest.mark.parametrize("fault", ["overload", "underload"])
def test_overload_and_underload_are_alarms_on_every_weighing_command(balance_rig, fault):
    clock, _source, device, balance = balance_rig()
    device.inject_fault(fault, duration_s=30.0)
    for read in (balance.read_mass_immediately, balance.read_stable_mass_g, balance.zero, balance.tare_g):
        with pytest.raises(DeviceAlarm) as raised:
            read()
        assert raised.value.alarm == fault
    clock.advance_s(31.0)  # the condition ends: readings come back
    assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=5 * READABILITY_G)


@pytest.mark.requirements("SR-DRV-005")
def test_real_overload_beyond_capacity_is_an_alarm(balance_rig):
    _clock, _source, device, balance = balance_rig(capacity_g=100.0)
    device.add_load_g(60.0)  # 50 g container + 60 g > 100 g capacity
    with pytest.raises(DeviceAlarm) as raised:
        balance.read_stable_mass_g()
    assert raised.value.alarm == "overload"


def test_unstable_balance_gives_dynamic_readings_and_refuses_stable_commands(balance_rig):
    clock, _source, device, balance = balance_rig(stable_timeout_s=1.0)
    device.inject_fault("unstable", duration_s=10.0)
    reading = balance.read_mass_immediately()
    assert reading.stable is False and reading.mass_g == pytest.approx(0.0, abs=5 * READABILITY_G)
    t_before_s = clock.now_s()
    with pytest.raises(ProtocolError, match="cannot execute 'S'"):
        balance.read_stable_mass_g()
    assert clock.now_s() == pytest.approx(t_before_s + 1.0)  # it waited its stability timeout (virtual)
    with pytest.raises(ProtocolError, match="cannot execute 'Z'"):
        balance.zero()
    with pytest.raises(ProtocolError, match="cannot execute 'T'"):
        balance.tare_g()
    clock.advance_s(10.0)
    assert balance.read_mass_immediately().stable is True
    assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=5 * READABILITY_G)


@pytest.mark.requirements("SR-DRV-005")
def test_power_reset_is_reported_and_later_readings_are_not_shifted(balance_rig):
    clock, source, device, balance = balance_rig(noise_sd_g=0.0)
    device.add_load_g(20.0)
    balance.tare_g()
    source.volume_ul = 1000.0
    clock.advance_s(5.0)
    assert balance.read_stable_mass_g() == pytest.approx(1.0, abs=READABILITY_G)
    device.inject_fault("power_reset")  # new zero on the present load, tare cleared, I4 announced
    with pytest.raises(DeviceAlarm) as raised:
        balance.read_stable_mass_g()
    assert raised.value.alarm == "reset"
    source.volume_ul = 1500.0
    clock.advance_s(5.0)
    # The balance zeroed on 21 g at power-up: the reading is relative to that, and it is this reading,
    # not a stale reply left in the input buffer.
    assert balance.read_stable_mass_g() == pytest.approx(0.5, abs=READABILITY_G)
    assert balance.read_mass_immediately().mass_g == pytest.approx(0.5, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-005")
def test_power_reset_stops_a_stream(balance_rig):
    clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    balance.start_stream()
    balance.read_streamed()
    device.inject_fault("power_reset")
    with pytest.raises(DeviceAlarm) as raised:
        for _ in range(100):  # streamed lines already on the line, then the I4 announcement
            balance.read_streamed()
    assert raised.value.alarm == "reset" and balance.streaming is False
    clock.advance_s(5.0)
    balance.streaming = True  # read on as if the driver had missed the reset: SIR has stopped
    with pytest.raises(DeviceTimeout):
        balance.read_streamed()


# --- link faults --------------------------------------------------------------------------------
@pytest.mark.requirements("SR-DRV-002")
def test_dropped_reply_is_a_timeout_and_the_next_reading_is_fresh(balance_rig):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    device.inject_fault("drop_bytes", direction="to_host", count=len(b"S S     0.0000 g\r\n"))
    with pytest.raises(DeviceTimeout):
        balance.read_mass_immediately()
    device.add_load_g(3.0)
    assert balance.read_stable_mass_g() == pytest.approx(3.0, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-002")
def test_dropped_line_end_is_a_timeout_and_the_link_recovers(balance_rig):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    device.add_load_g(1.0)
    assert balance.read_stable_mass_g() == pytest.approx(1.0, abs=READABILITY_G)
    reply = b"S S     1.0000 g\r\n"
    device.inject_fault("drop_bytes", direction="to_host", count=2, skip_bytes=len(reply) - 2)
    with pytest.raises(DeviceTimeout):
        balance.read_mass_immediately()
    device.add_load_g(1.0)
    assert balance.read_stable_mass_g() == pytest.approx(2.0, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-002")
def test_dropped_request_is_a_timeout(balance_rig):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    device.inject_fault("drop_bytes", direction="from_host", count=1, skip_bytes=len(b"SI\r"))  # the LF
    with pytest.raises(DeviceTimeout):
        balance.read_mass_immediately()  # "SI\r" without LF is not a command yet


@pytest.mark.requirements("SR-DRV-004")
@pytest.mark.parametrize("skip_bytes, xor_mask", [(0, 0x01), (2, 0x01), (0, 0x80), (8, 0x80)],
                         ids=["ident", "status", "ident-high-bit", "digit-high-bit"])
def test_corrupted_reply_is_a_framing_error_and_the_link_recovers(balance_rig, skip_bytes, xor_mask):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    device.inject_fault("corrupt_bytes", direction="to_host", count=1, skip_bytes=skip_bytes, xor_mask=xor_mask)
    with pytest.raises(FramingError):
        balance.read_mass_immediately()
    device.add_load_g(4.0)
    assert balance.read_stable_mass_g() == pytest.approx(4.0, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-004")
@pytest.mark.parametrize("xor_mask, error, code", [(0x01, ProtocolError, "ES"), (0x80, FramingError, "ET")],
                         ids=["unknown-command", "non-ascii"])
def test_corrupted_request_is_refused_by_the_balance(balance_rig, xor_mask, error, code):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    balance.read_mass_immediately()  # not the first command after open (that one is asked again on ES)
    device.inject_fault("corrupt_bytes", direction="from_host", count=1, xor_mask=xor_mask)
    with pytest.raises(error, match=code):
        balance.read_mass_immediately()
    assert balance.read_mass_immediately().mass_g == pytest.approx(0.0, abs=READABILITY_G)


def test_reply_delayed_within_the_timeout_is_read(balance_rig):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0, timeout_s=2.0)
    device.add_load_g(7.0)
    balance.read_stable_mass_g()
    device.inject_fault("delay_bytes", delay_s=0.2)
    assert balance.read_mass_immediately().mass_g == pytest.approx(7.0, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-002")
def test_reply_delayed_past_the_timeout_is_a_timeout_and_is_not_read_as_the_next_reply(balance_rig):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0, timeout_s=0.2)
    device.inject_fault("delay_bytes", delay_s=0.5)
    with pytest.raises(DeviceTimeout):
        balance.read_mass_immediately()
    time.sleep(0.5)  # the late reply (0 g) lands in the input buffer
    device.add_load_g(6.0)
    assert balance.read_stable_mass_g() == pytest.approx(6.0, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-002")
def test_disconnect_is_typed(balance_rig):
    _clock, _source, device, balance = balance_rig(noise_sd_g=0.0)
    assert balance.read_mass_immediately().stable is True
    device.inject_fault("disconnect")
    with pytest.raises(DeviceDisconnected):
        balance.read_mass_immediately()
