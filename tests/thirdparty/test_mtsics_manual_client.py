"""The MT-SICS balance emulator against a client written from the MT-SICS reference, over pty, TCP and RFC 2217."""
from __future__ import annotations

import time

import pytest
from mtsics_manual_client import ManualMTSICSClient, ReferenceViolation, parse_weight

from hil.emulators import EmulatedBalance


@pytest.fixture()
def balance(clock, serve, closing) -> ManualMTSICSClient:
    device = EmulatedBalance(clock)
    device.transact(b"")  # whatever the balance says at power-up goes out before anyone listens
    return closing(ManualMTSICSClient(serve(device)))


def test_the_clients_weight_parser_follows_the_reference():
    assert parse_weight("S S     100.00 g", "S").value == 100.0
    assert parse_weight("S I", "S").status == "I"
    for line in ("S S 100.00 g", "S X     100.00 g", "S S     100.00 grams", "T S     100.00 g"):
        with pytest.raises(ReferenceViolation):
            parse_weight(line, "S")


def test_weights_identity_zero_tare_and_errors(balance):
    stable = balance.weight("S")
    assert stable.status == "S" and stable.unit == "g"
    immediate = balance.weight("SI")
    assert immediate.status in "SD" and immediate.unit == "g"
    assert balance.serial_number("I4") != ""
    assert balance.query("Z") == "Z A"
    assert parse_weight(balance.query("T"), "T").status == "S"
    assert balance.query("TAC") == "TAC A"
    assert balance.query("XYZ") == "ES"  # not a command
    assert balance.query("s") == "ES"  # commands are upper case


def test_repeated_weights_are_cancelled_by_reset(balance):
    balance.port.write(b"SIR\r\n")
    streamed = [parse_weight(balance.read_line(), "S") for _ in range(3)]
    assert all(weight.unit == "g" for weight in streamed)
    balance.port.write(b"@\r\n")  # cancel: answered like I4; weights already on their way may come first
    deadline = time.monotonic() + 5.0
    while not (line := balance.read_line()).startswith("I4 "):
        parse_weight(line, "S")
        assert time.monotonic() < deadline
    assert line.startswith('I4 A "')
    balance.port.timeout = 0.5
    assert balance.port.read(1) == b""  # the stream stopped
