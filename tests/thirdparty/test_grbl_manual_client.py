"""The GRBL emulator against a G-code sender written from the GRBL 1.1 interface description, over pty, TCP and
RFC 2217."""
from __future__ import annotations

import time

import pytest
from grbl_manual_client import (InterfaceViolation, ManualGrblClient, parse_parser_state, parse_status,
                                parser_state)

from hil.emulators import EmulatedGrbl


@pytest.fixture()
def grbl(clock, serve, closing) -> ManualGrblClient:
    device = EmulatedGrbl(clock)
    assert device.transact(b"").startswith(b"\r\nGrbl ")  # the power-up banner, said before anyone listened
    client = closing(ManualGrblClient(serve(device)))
    client.port.write(b"\x18")  # soft reset (realtime byte): the banner comes again
    client.wait_for_banner()
    return client


def test_the_clients_status_parser_follows_the_description():
    status = parse_status("<Hold:0|MPos:1.000,-2.500,0.000|FS:0,0>")
    assert status.state == "Hold:0" and status.machine_position_mm == (1.0, -2.5, 0.0)
    for line in ("Idle|MPos:0,0,0", "<Walk|MPos:0,0,0>", "<Idle|MPos:0,0>", "<Idle|FS:0,0>"):
        with pytest.raises(InterfaceViolation):
            parse_status(line)


def test_status_report_settings_and_a_move(grbl):
    idle = grbl.status()
    assert idle.state == "Idle" and idle.machine_position_mm == (0.0, 0.0, 0.0) and "FS" in idle.fields
    settings = grbl.settings()
    assert {0, 1, 10, 100, 110, 120, 130} <= set(settings) and settings[100] > 0  # steps/mm, max rate, accel, travel
    assert grbl.send_line("G21 G91").ok
    assert grbl.send_line("g1 x0.1 f60").ok  # lower case and spaces are the parser's business
    assert grbl.status().state in ("Run", "Idle")
    deadline = time.monotonic() + 10.0
    while (status := grbl.status()).state != "Idle":
        assert time.monotonic() < deadline, f"still {status.state} after the move's time"
        time.sleep(0.05)
    assert status.machine_position_mm[0] == pytest.approx(0.1, abs=0.001)


def test_errors_and_line_endings(grbl):
    assert grbl.send_line("G99").error_code == 20  # unsupported G-code
    assert grbl.send_line("G1 X1").error_code == 22  # feed rate undefined
    assert grbl.send_line("G1 Xabc F60").error_code == 2  # bad number format
    assert grbl.send_line("").ok  # an empty line is answered ok
    grbl.port.write(b"G4 P0\r\n")  # CR and LF each end a line: the host counting lines gets a second ok
    assert [grbl.read_line(), grbl.read_line()] == ["ok", "ok"]


def test_the_clients_parser_state_parser_follows_the_description():
    state = parse_parser_state("[GC:G0 G54 G17 G21 G90 G94 M0 M5 M9 T0 S0.0 F500.0]")  # commands.md's example
    assert state.modes["units"] == "G21" and state.values == {"T": 0.0, "S": 0.0, "F": 500.0}
    for line in ("GC:G0 G54]", "[GC:G0 G1 G54 T0 S0 F0]", "[GC:G0 G54 G17 T0 S0]", "[GC:G0 Q5 T0 S0 F0]"):
        with pytest.raises(InterfaceViolation):
            parse_parser_state(line)


@pytest.mark.requirements("SR-DRV-012")
def test_parser_state_shows_the_power_up_modes_then_what_a_move_set_even_while_it_runs(grbl):
    idle = parser_state(grbl)
    assert {g: idle.modes[g] for g in ("motion", "coordinate_system", "plane", "units", "distance", "feed_mode")} \
        == {"motion": "G0", "coordinate_system": "G54", "plane": "G17", "units": "G21", "distance": "G90",
            "feed_mode": "G94"}  # the defaults commands.md marks in bold
    assert grbl.send_line("G21 G91 G1 X1 F6").ok  # 1 mm at 6 mm/min: ten seconds of motion
    assert grbl.status().state == "Run"
    moving = parser_state(grbl)  # $G is answered during motion
    assert (moving.modes["motion"], moving.modes["units"], moving.modes["distance"]) == ("G1", "G21", "G91")
    assert moving.values["F"] == 6.0
    assert grbl.status().state == "Run"
    assert grbl.send_line("G20").ok
    assert parser_state(grbl).modes["units"] == "G20"
