"""Link-level byte faults shared by every emulator, and fault scheduling in clock time."""
from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedBalance, EmulatedNE1000, EmulatorError
from hil.emulators.faults import FROM_HOST, TO_HOST, LinkFaults


def test_drop_and_corrupt_consume_bytes_in_order():
    link = LinkFaults()
    link.add("drop_bytes", {"count": 2, "skip_bytes": 1})
    link.add("corrupt_bytes", {"count": 1, "xor_mask": 0x20})
    assert link.apply(TO_HOST, b"abcdef") == b"aDef"
    assert link.apply(TO_HOST, b"abc") == b"abc"


def test_direction_is_respected():
    link = LinkFaults()
    link.add("drop_bytes", {"direction": FROM_HOST})
    assert link.apply(TO_HOST, b"ab") == b"ab"
    assert link.apply(FROM_HOST, b"ab") == b"b"


def test_delay_queue():
    link = LinkFaults()
    link.add("delay_bytes", {"delay_s": 0.2, "count": 2})
    assert [link.next_reply_delay_s() for _ in range(3)] == [0.2, 0.2, 0.0]


@pytest.mark.parametrize("params, message", [
    ({"count": 0}, "count"), ({"direction": "up"}, "direction"), ({"xor_mask": 256}, "xor_mask"),
    ({"colour": 1}, "unknown parameter"),
])
def test_bad_parameters_are_named(params, message):
    with pytest.raises(EmulatorError, match=message):
        LinkFaults().add("corrupt_bytes", params)


def test_corrupted_reply_byte_reaches_host_from_device():
    emu = EmulatedNE1000(VirtualClock())
    emu.inject_fault("corrupt_bytes", skip_bytes=3, xor_mask=0x01)
    assert emu.transact(b"\r") == b"\x0200@?R\x03"  # 'A' (0x41) arrives as '@'


def test_dropped_command_byte_means_no_reply():
    emu = EmulatedBalance(VirtualClock(), None)
    emu.transact(b"")
    emu.inject_fault("drop_bytes", direction=FROM_HOST, skip_bytes=2)  # the CR of "SI\r\n"
    assert emu.transact(b"SI\r\n") == b""


def test_fault_scheduled_in_clock_time():
    clock = VirtualClock()
    emu = EmulatedBalance(clock, None, noise_sd_g=0.0)
    emu.transact(b"")
    emu.inject_fault("overload", at_s=100.0)
    assert emu.transact(b"SI\r\n").startswith(b"S S")
    clock.advance_s(100)
    assert emu.transact(b"SI\r\n") == b"S +\r\n"


def test_every_emulator_documents_its_faults():
    names = set(EmulatedNE1000(VirtualClock()).fault_names())
    assert {"drop_bytes", "corrupt_bytes", "delay_bytes", "disconnect", "stall", "occlusion", "power_reset"} <= names
    assert {"overload", "underload", "unstable", "power_reset"} <= set(EmulatedBalance(VirtualClock()).fault_names())


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_fault_parameters_are_refused_by_name(value):
    device = EmulatedNE1000(VirtualClock())
    with pytest.raises(EmulatorError, match="delay_s"):
        device.inject_fault("delay_bytes", delay_s=value)
    with pytest.raises(EmulatorError, match="at_s"):
        device.inject_fault("stall", at_s=value)


def test_balance_emulator_refuses_a_unit_it_does_not_print():
    from hil.emulators.balance_config import BalanceEmulatorConfig
    with pytest.raises(EmulatorError, match="unit"):
        BalanceEmulatorConfig(unit="mg")


def test_scheduled_disconnect_with_parameters_is_refused_when_injected():
    with pytest.raises(EmulatorError, match="disconnect"):
        EmulatedNE1000(VirtualClock()).inject_fault("disconnect", at_s=5.0, foo=1)


def test_the_same_fault_scheduled_again_at_the_same_time_after_others_fired_is_kept():
    clock = VirtualClock()
    device = EmulatedNE1000(clock)
    device.inject_fault("drop_bytes", at_s=10.0, count=1)
    device.inject_fault("drop_bytes", at_s=20.0, count=1)
    clock.advance_s(15.0)
    device.transact(b"")  # the 10 s fault falls due
    device.inject_fault("drop_bytes", at_s=20.0, count=2)  # same time and name as a waiting one: used to crash
    assert [entry[2] for entry in device._scheduled] == ["drop_bytes", "drop_bytes"]
