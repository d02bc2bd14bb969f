"""SartoriusBalance (pyvisa-py, ASRL<pty>::INSTR) against hil.emulators.EmulatedSartorius over a real pty.

A pty is always 8 bits without parity on Linux, so the driver leaves the port's framing alone (framing=None)
and the emulator produces the framing's bytes (7O1: 7-bit). The emulator runs on a VirtualClock.
"""
from __future__ import annotations

import termios
import time

import pytest

from drivers.errors import DeviceAlarm, DeviceDisconnected, DeviceTimeout, ProtocolError, TransportError
from drivers.sartorius import SartoriusBalance
from drivers.sbi_lines import SbiDeviceError
from firmware_sim.clock import VirtualClock

pytestmark = pytest.mark.timeout(60)
READABILITY_G = 0.0001


class VolumeSource:
    def __init__(self) -> None:
        self.volume_ul = 0.0

    def __call__(self) -> float:
        return self.volume_ul


def settle(clock, balance) -> None:
    """The cell sees a volume set by the test arrive over the next clock step, then settles in the one after."""
    clock.advance_s(5.0)
    balance.read_mass_immediately()
    clock.advance_s(5.0)


@pytest.fixture()
def sbi_rig(serve_emulator, opened):
    """sbi_rig(**SartoriusConfig overrides) -> (clock, volume source, EmulatedSartorius, open SartoriusBalance)."""
    from hil.emulators import EmulatedSartorius

    def make(clock=None, volume_source=None, *, timeout_s=0.5, **overrides):
        clock = clock or VirtualClock()
        volume_source = volume_source if volume_source is not None else VolumeSource()
        device = EmulatedSartorius(clock, volume_source, **overrides)
        path = serve_emulator(device)
        balance = opened(SartoriusBalance(f"ASRL{path}::INSTR", backend="@py", timeout_s=timeout_s, framing=None,
                                          stable_timeout_s=0.3))
        return clock, volume_source, device, balance

    return make


@pytest.mark.parametrize("framing", ["7O1", "8N1"])
@pytest.mark.parametrize("line_format", [16, 22])
def test_identity_and_readings_in_both_framings_and_line_formats(sbi_rig, framing, line_format):
    clock, source, device, balance = sbi_rig(framing=framing, line_format=line_format, noise_sd_g=0.0,
                                             density_g_per_ml=1.25)
    assert balance.serial_number() == "0037512345"
    assert balance.model() == "MSE225S"
    assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=READABILITY_G)
    source.volume_ul = 1000.0
    settle(clock, balance)
    reading = balance.read_mass_immediately()
    assert reading.stable is True
    assert reading.mass_g == pytest.approx(1.25, abs=READABILITY_G)
    assert device.true_net_mass_g() == pytest.approx(1.25, abs=1e-9)


def test_a_settling_reading_is_unstable_and_a_stable_one_is_waited_for(sbi_rig):
    clock, _source, device, balance = sbi_rig()
    device.add_load_g(10.0)
    early = balance.read_mass_immediately()
    assert early.stable is False and early.mass_g < 10.0 - 0.01
    with pytest.raises(ProtocolError, match=r"no stable reading within 0\.3 s"):
        balance.read_stable_mass_g()  # the virtual clock stands still: the display never settles
    clock.advance_s(5.0)
    assert balance.read_stable_mass_g() == pytest.approx(10.0, abs=5 * READABILITY_G)


def test_tare_and_zero(sbi_rig):
    clock, source, device, balance = sbi_rig(noise_sd_g=0.0)
    device.add_load_g(20.0)
    clock.advance_s(5.0)
    balance.tare()
    assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=READABILITY_G)
    source.volume_ul = 2000.0
    settle(clock, balance)
    assert balance.read_stable_mass_g() == pytest.approx(2.0, abs=READABILITY_G)
    balance.zero()
    assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-005")
@pytest.mark.parametrize(("fault", "alarm"), [("overload", "overload"), ("underload", "underload")])
def test_high_and_low_are_alarms(sbi_rig, fault, alarm):
    clock, _source, device, balance = sbi_rig()
    device.inject_fault(fault, duration_s=30.0)
    with pytest.raises(DeviceAlarm) as raised:
        balance.read_mass_immediately()
    assert raised.value.alarm == alarm
    clock.advance_s(31.0)
    assert balance.read_mass_immediately().mass_g == pytest.approx(0.0, abs=5 * READABILITY_G)


@pytest.mark.requirements("SR-DRV-005")
def test_load_beyond_capacity_shows_high(sbi_rig):
    clock, _source, device, balance = sbi_rig(capacity_g=100.0)
    device.add_load_g(60.0)
    clock.advance_s(5.0)
    with pytest.raises(DeviceAlarm, match="High"):
        balance.read_mass_immediately()


@pytest.mark.requirements("SR-DRV-005")
def test_an_error_code_is_a_typed_error(sbi_rig):
    _clock, _source, device, balance = sbi_rig(line_format=22)
    device.inject_fault("error_code", code=54)
    with pytest.raises(SbiDeviceError) as raised:
        balance.read_mass_immediately()
    assert raised.value.code == 54 and "Err 54" in raised.value.reply


def test_unstable_fault_gives_unstable_readings(sbi_rig):
    clock, _source, device, balance = sbi_rig()
    device.inject_fault("unstable", duration_s=10.0)
    assert balance.read_mass_immediately().stable is False
    clock.advance_s(11.0)
    assert balance.read_mass_immediately().stable is True


@pytest.mark.requirements("SR-DRV-002")
def test_power_reset_self_test_is_silent_then_readings_count_from_a_new_zero(sbi_rig):
    clock, source, device, balance = sbi_rig(noise_sd_g=0.0, power_up_time_s=2.0)
    source.volume_ul = 1000.0
    settle(clock, balance)
    assert balance.read_mass_immediately().mass_g == pytest.approx(1.0, abs=READABILITY_G)
    device.inject_fault("power_reset")
    with pytest.raises(DeviceTimeout, match=r"no reply to 'ESC P' within 0\.5 s"):
        balance.read_mass_immediately()
    clock.advance_s(2.0)
    assert balance.read_mass_immediately().mass_g == pytest.approx(0.0, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-002")
def test_a_late_reply_times_out_and_is_not_taken_for_the_next_one(sbi_rig):
    clock, source, device, balance = sbi_rig(noise_sd_g=0.0)
    device.inject_fault("delay_bytes", delay_s=0.8)
    with pytest.raises(DeviceTimeout):
        balance.read_mass_immediately()  # the 0.0 g line arrives after the 0.5 s timeout
    time.sleep(0.5)  # let the late line arrive
    source.volume_ul = 3000.0
    for _ in range(2):  # the serving thread's polls track the cell as the clock moves on: it settles
        clock.advance_s(5.0)
        time.sleep(0.05)
    assert balance.read_mass_immediately().mass_g == pytest.approx(3.0, abs=READABILITY_G)


@pytest.mark.requirements("SR-DRV-002")
def test_disconnect_is_a_typed_error(sbi_rig):
    _clock, _source, device, balance = sbi_rig()
    device.inject_fault("disconnect")
    with pytest.raises((DeviceDisconnected, DeviceTimeout)):
        balance.read_mass_immediately()


def test_a_port_that_refuses_the_framing_is_a_transport_error_naming_it(monkeypatch):
    import pyvisa

    def refuse(self, name, **options):
        assert options["data_bits"] == 7 and options["parity"] == pyvisa.constants.Parity.odd
        raise termios.error(22, "Invalid argument")  # what pyserial lets through from a pty asked for 7O1

    monkeypatch.setattr(pyvisa.ResourceManager, "open_resource", refuse)
    balance = SartoriusBalance("ASRL/dev/pts/99::INSTR", framing="7O1")
    with pytest.raises(TransportError, match=r"9600 baud, framing 7O1.*Invalid argument"):
        balance.open()


def test_the_gravimetric_sampler_reads_an_sbi_balance_weighing_a_pump(sbi_rig, serve_emulator):
    from drivers.ne1000 import NE1000Pump
    from drivers.transport import SerialTransport
    from hil.adapters.balance import BalanceSampler
    from hil.emulators.ne1000 import EmulatedNE1000

    clock = VirtualClock()
    pump_device = EmulatedNE1000(clock, syringe_diameter_mm=4.699, syringe_volume_ul=1000.0)
    pump = NE1000Pump(SerialTransport(serve_emulator(pump_device), timeout_s=0.3),
                      max_rate_ul_per_h=5000.0, heartbeat=False, reply_timeout_s=0.3)
    _clock, _source, _device, balance = sbi_rig(clock, pump_device.dispensed_volume_ul, framing="7O1",
                                                density_g_per_ml=1.0, noise_sd_g=0.0)
    sampler = BalanceSampler(balance, density_g_per_ml=1.0)
    pump.open()
    try:
        assert sampler.read(clock.now_s()).volume_ul == 0.0
        pump.set_rate_ul_per_h(600.0)
        pump.set_target_volume_ul(None)
        pump.start()
        clock.advance_s(60.0)  # 10 uL
        pump.stop()
        clock.advance_s(5.0)
        reading = sampler.read(clock.now_s())
        assert reading.volume_ul == pytest.approx(pump.status().infused_ul, abs=0.3)
        assert reading.volume_ul > 9.0 and sampler.errors == 0
    finally:
        pump.close()
