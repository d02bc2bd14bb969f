"""A burst of garbage over the pty (the probe's crashers, overlong numbers, random bytes) does not stop any
emulator's serving thread: it still answers a valid command afterwards."""
from __future__ import annotations

import random

import pytest
import serial

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedBalance, EmulatedGrbl, EmulatedNE1000

pytestmark = pytest.mark.timeout(30)

_RANDOM = bytes(random.Random(0).randrange(256) for _ in range(2000))
NO_RESET = _RANDOM.replace(b"\x18", b"")  # a GRBL soft reset in the noise would make its own banner


def read_until(port: serial.Serial, terminator: bytes) -> bytes:
    data = port.read_until(terminator)
    assert data.endswith(terminator), data[-200:]
    return data


def served(device, clock: VirtualClock) -> serial.Serial:  # noqa: ANN001
    device.transact(b"")  # boot output before any host listens is lost, as on the real line
    return serial.Serial(device.start(), timeout=5)


@pytest.fixture
def stopping():
    devices = []
    yield devices.append
    for device in devices:
        device.stop()


def test_ne1000_serves_on_after_a_burst_of_garbage(stopping):
    clock = VirtualClock()
    pump = EmulatedNE1000(clock)
    stopping(pump)
    with served(pump, clock) as port:
        port.write(b"RUN" + b"9" * 5000 + b"\rPHN" + b"9" * 5000 + b"\r*ADR1B" + b"9" * 5000 + b"\rPHN3\rPUR\r")
        port.write(_RANDOM + b"\r\x02")
        read_until(port, b"\x0200X\x03")  # the purge answered; replies to the noise follow
        port.timeout = 0.5
        for _ in range(20):  # until the noise is consumed: STX in it starts safe packets that swallow bytes
            clock.advance_s(1.0)  # past the inter-byte timeout: a partial safe packet is dropped
            port.write(b"STP\rSTP\rVER\r")
            if port.read_until(b"\x0200SNE1000V3.928\x03").endswith(b"\x0200SNE1000V3.928\x03"):
                break
        else:
            raise AssertionError("the NE-1000 emulator never answered VER after the noise")
    assert pump.serving and pump.error is None


def test_grbl_serves_on_after_a_burst_of_garbage(stopping):
    clock = VirtualClock()
    grbl = EmulatedGrbl(clock)
    stopping(grbl)
    with served(grbl, clock) as port:
        port.write(b"G1X" + b"9" * 70 + b"F100\n$" + b"9" * 70 + b"=1\n" + NO_RESET + b"\n")
        port.write(b"\x18")
        read_until(port, b"['$' for help]\r\n")
        port.write(b"$X\n$I\n")
        read_until(port, b"[OPT:")
        read_until(port, b"ok\r\n")
    assert grbl.serving and grbl.error is None


def test_balance_serves_on_after_a_burst_of_garbage(stopping):
    clock = VirtualClock()
    balance = EmulatedBalance(clock)
    stopping(balance)
    with served(balance, clock) as port:
        port.write(b"S " + b"9" * 5000 + b"\r\nSI 1e999\r\n\xff\xfe\r\n" + _RANDOM + b"\r\nI4\r\n")
        read_until(port, b'I4 A "0123456789"\r\n')
    assert balance.serving and balance.error is None
