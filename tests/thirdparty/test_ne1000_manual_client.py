"""The NE-1000 emulator against a client written from the manual (Basic and Safe mode), over pty, TCP and RFC 2217."""
from __future__ import annotations

import re
import time

import pytest
from ne1000_manual_client import (ManualNE1000Client, ManualViolation, parse_dispensed, parse_number, parse_quantity,
                                  safe_packet)

from hil.emulators import EmulatedNE1000


@pytest.fixture()
def pump(clock, serve, closing) -> ManualNE1000Client:
    """A Basic-mode pump whose power-up alarm the client has acknowledged."""
    client = closing(ManualNE1000Client(serve(EmulatedNE1000(clock))))
    assert client.send("").alarm == "R"  # 1.6: the first command after power-up gets A?R and is not executed
    return client


def test_the_clients_number_parser_follows_the_manual():
    assert [parse_number(t) for t in ("1.500", "1000.", "0.001", ".5")] == [1.5, 1000.0, 0.001, 0.5]
    for text in ("1000", "12345.", "1.2345", ".", "1e3"):
        with pytest.raises(ManualViolation):
            parse_number(text)


def test_manual_client_session_reads_every_number_in_the_manuals_format(pump):
    assert re.fullmatch(r"NE\d+(X\d*)?V\d+\.\d+", pump.command("VER").data)
    assert pump.command("DIA 10").prompt == "S"
    assert parse_number(pump.command("DIA").data) == 10.0
    assert pump.command("RAT 1000 UH").error is None
    assert parse_quantity(pump.command("RAT").data, ("UM", "MM", "UH", "MH")) == (1000.0, "UH")  # `1000.UH`
    assert pump.command("VOL 1000").error is None
    assert parse_quantity(pump.command("VOL").data, ("UL", "ML")) == (1000.0, "UL")  # diameter <= 14 mm: uL
    assert pump.command("DIR INF").error is None and pump.command("DIR").data == "INF"
    assert pump.command("RUN").prompt == "I"
    time.sleep(0.2)
    assert pump.command("").prompt == "I"
    assert pump.command("STP").prompt == "P"  # 1.9: STP while running pauses ...
    assert pump.command("STP").prompt == "S"  # ... and again stops
    infused, withdrawn, units = parse_dispensed(pump.command("DIS").data)
    assert units == "UL" and 0 < infused < 1.0 and withdrawn == 0.0


@pytest.mark.parametrize("form", ["RAT 12.5 UH", "rat 12.5 uh", "RAT12.5UH", "0RAT12.5UH", "00 rat 12.5 uh",
                                  " 0 r a t 1 2 . 5 u h"])
def test_every_request_form_a_client_sends_sets_the_rate(pump, form):
    """1.4: spaces and control characters are stripped and text upper-cased; the address (default 0) may prefix."""
    assert pump.command(form).error is None
    assert pump.command("RAT").data == "12.50UH"


def test_errors_carry_the_manuals_codes(pump):
    assert pump.command("XYZ").error == ""
    assert pump.command("RAT 9999 MM").error == "OOR"
    assert pump.command("RAT 100 UH").error is None and pump.command("RUN").prompt == "I"
    assert pump.command("DIA 20").error == "NA"  # diameter only while the program is not running
    assert pump.command("STP").prompt == "P" and pump.command("STP").prompt == "S"


def test_a_command_for_another_address_gets_no_reply(pump):
    pump.port.timeout = 0.3
    pump.port.write(b"7VER\r")
    assert pump.port.read(1) == b""


def test_safe_mode_with_crc_and_the_manuals_worked_examples(clock, serve, closing):
    device = EmulatedNE1000(clock, safe_mode_timeout_s=10)
    assert device.transact(b"") == safe_packet(b"00A?R")  # 1.5: the boot auto-alarm, sent before anyone listens
    client = closing(ManualNE1000Client(serve(device)))
    client.safe = True
    assert client.send("0").alarm == "R"  # the auto-alarm did not clear it: the first valid packet acknowledges it
    assert client.raw(bytes.fromhex("02 05 30 36 53 03")) == bytes.fromhex("02 07 30 30 53 AA A6 03")  # 1.5 table
    assert client.send("0RAT0.5MM").error is None  # a 1 mL syringe (4.699 mm) runs at most about 0.88 mL/min
    assert client.send("RAT").data == "0.500MM"
    corrupted = bytearray(safe_packet(b"0RAT1.0MM"))
    corrupted[-2] ^= 0xFF
    assert client.raw(bytes(corrupted))[2:-3] == b"00S?COM"  # 1.5: a corrupted packet gets ?COM
    assert client.send("RAT").data == "0.500MM"  # and changed nothing
    client.safe = False  # the reply to the manual's SAF0 packet already comes in Basic mode
    assert client.raw(bytes.fromhex("02 08 53 41 46 30 55 43 03")) == b"\x0200S\x03"
    assert client.send("SAF").data == "0"
