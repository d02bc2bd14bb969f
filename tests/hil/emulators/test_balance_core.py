"""Byte-level tests of the MT-SICS balance emulator (no pty), linked to an emulated pump."""
from __future__ import annotations

import re

import pytest

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedBalance, EmulatedNE1000, EmulatorError

WEIGHT = re.compile(rb"^S ([SD]) +(-?\d+\.\d{4}) g\r\n$")


def value_g(line: bytes) -> float:
    match = WEIGHT.match(line)
    assert match is not None, line
    return float(match.group(2))


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def rig(clock):
    pump = EmulatedNE1000(clock, syringe_diameter_mm=14.43, syringe_volume_ul=10000)
    pump.transact(b"\r")
    balance = EmulatedBalance(clock, pump.dispensed_volume_ul, noise_sd_g=0.0)
    return pump, balance


def test_start_announces_nothing_a_power_cycle_announces_i4(rig):
    _, balance = rig
    assert balance.transact(b"") == b""  # switched on before the host connected: no I4 for the host to see
    balance.inject_fault("power_reset")
    assert balance.transact(b"") == b'I4 A "0123456789"\r\n'


def test_identity_and_errors(rig):
    _, balance = rig
    assert balance.transact(b"I4\r\n") == b'I4 A "0123456789"\r\n'
    assert balance.transact(b"s\r\n") == b"ES\r\n"  # commands are upper case
    assert balance.transact(b"S 12\r\n") == b"EL\r\n"
    assert balance.transact(b"\xff\r\n") == b"ET\r\n"
    assert balance.transact(b"SI\n") == b""  # LF alone does not end a command


def test_mass_follows_pumped_volume_times_density(clock):
    pump = EmulatedNE1000(clock, syringe_diameter_mm=14.43, syringe_volume_ul=10000)
    pump.transact(b"\r")
    balance = EmulatedBalance(clock, pump.dispensed_volume_ul, noise_sd_g=0.0, density_g_per_ml=1.2)
    balance.transact(b"")
    pump.transact(b"RAT 600 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(3600)
    assert balance.transact(b"") == b""  # a serving-thread tick: the cell tracks the load
    pump.transact(b"STP\r")
    clock.advance_s(60)  # settled
    assert balance.transact(b"S\r\n") == b"S S     0.7200 g\r\n"


def test_s_waits_for_stability_while_si_answers_dynamic(rig, clock):
    pump, balance = rig
    pump.transact(b"RAT 5 MM\r")
    pump.transact(b"RUN\r")
    clock.advance_s(5)
    immediate = balance.transact(b"SI\r\n")
    assert immediate.startswith(b"S D ")
    t_before_s = clock.now_s()
    assert balance.transact(b"S\r\n") == b"S I\r\n"  # never stable while flowing fast
    assert clock.now_s() == pytest.approx(t_before_s + 3.0)  # waited the stability timeout on the clock
    pump.transact(b"STP\r")
    reply = balance.transact(b"S\r\n")
    assert WEIGHT.match(reply).group(1) == b"S"
    assert value_g(reply) == pytest.approx(pump.dispensed_volume_ul() / 1000, abs=0.00011)


def test_step_load_settles(rig, clock):
    _, balance = rig
    balance.add_load_g(10.0)
    first = balance.transact(b"SI\r\n")
    assert first.startswith(b"S D ") and value_g(first) < 1.0
    reply = balance.transact(b"S\r\n")
    assert value_g(reply) == pytest.approx(10.0, abs=0.00011)


def test_zero_tare_and_reset(rig):
    _, balance = rig
    balance.add_load_g(5.0)
    assert balance.transact(b"T\r\n") == b"T S     5.0000 g\r\n"
    assert balance.transact(b"SI\r\n") == b"S S     0.0000 g\r\n"
    assert balance.transact(b"TA\r\n") == b"TA A     5.0000 g\r\n"
    assert balance.transact(b"@\r\n") == b'I4 A "0123456789"\r\n'  # clears tare
    assert balance.transact(b"SI\r\n") == b"S S     5.0000 g\r\n"
    assert balance.transact(b"Z\r\n") == b"Z A\r\n"
    assert balance.transact(b"SI\r\n") == b"S S     0.0000 g\r\n"


def test_sir_streams_in_clock_time_until_cancelled(rig, clock):
    _, balance = rig
    assert balance.transact(b"SIR\r\n").startswith(b"S S ")
    assert balance.transact(b"") == b""
    clock.advance_s(0.3)
    assert balance.transact(b"").startswith(b"S S ")
    balance.transact(b"@\r\n")
    clock.advance_s(1.0)
    assert balance.transact(b"") == b""


def test_noise_is_seeded(clock):
    def readings(seed: int) -> list[bytes]:
        balance = EmulatedBalance(clock, None, noise_sd_g=0.0002, seed=seed)
        balance.transact(b"")
        return [balance.transact(b"SI\r\n") for _ in range(5)]

    assert readings(7) == readings(7)
    assert readings(7) != readings(8)


def test_drift_and_evaporation(clock):
    balance = EmulatedBalance(clock, None, noise_sd_g=0.0, drift_g_per_h=0.001, evaporation_g_per_h=0.004)
    balance.transact(b"")
    clock.advance_s(3600)
    assert value_g(balance.transact(b"S\r\n")) == pytest.approx(-0.003, abs=0.0001)


def test_overload_underload_and_unstable_faults(rig, clock):
    _, balance = rig
    balance.inject_fault("overload", duration_s=10)
    assert balance.transact(b"SI\r\n") == b"S +\r\n"
    assert balance.transact(b"Z\r\n") == b"Z +\r\n"
    clock.advance_s(11)
    balance.inject_fault("underload")
    assert balance.transact(b"S\r\n") == b"S -\r\n"
    balance.inject_fault("power_reset")
    assert balance.transact(b"") == b'I4 A "0123456789"\r\n'
    balance.inject_fault("unstable", duration_s=5)
    assert balance.transact(b"SI\r\n").startswith(b"S D ")
    assert balance.transact(b"S\r\n") == b"S I\r\n"
    assert balance.transact(b"S\r\n").startswith(b"S S ")  # the 5 s passed while waiting


def test_real_overload_from_mass(clock):
    balance = EmulatedBalance(clock, None, noise_sd_g=0.0, capacity_g=60.0)
    balance.transact(b"")
    balance.add_load_g(20.0)
    assert balance.transact(b"S\r\n") == b"S +\r\n"


def test_bad_config_and_fault_parameters(clock):
    with pytest.raises(EmulatorError, match="density_g_per_ml"):
        EmulatedBalance(clock, None, density_g_per_ml=0.0)
    balance = EmulatedBalance(clock, None)
    with pytest.raises(EmulatorError, match="duration_s"):
        balance.inject_fault("unstable", duration_s=-1)
    with pytest.raises(EmulatorError, match="unknown fault"):
        balance.inject_fault("stall")
