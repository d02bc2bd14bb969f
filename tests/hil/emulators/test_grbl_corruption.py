"""The GRBL emulator's corrupt_move fault: a move line arrives as other valid G-code, which GRBL accepts with ok."""
from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedGrbl, EmulatorError
from hil.emulators.grbl_corruption import MoveCorruption, corrupt, is_move

LINE = "G21G91G1X0.5F6"


@pytest.mark.parametrize(("kind", "expected"), [
    ("units", "G20G91G1X0.5F6"), ("distance", "G21G90G1X0.5F6"), ("motion", "G21G91G0X0.5F6"),
    ("feed_scale", "G21G91G1X0.5F60"),
])
def test_each_kind_changes_one_word_into_another_valid_one(kind, expected):
    assert corrupt(LINE, MoveCorruption(kind)) == expected


def test_a_missing_word_is_set_in_front_and_only_moves_are_hit():
    assert corrupt("X1F6", MoveCorruption("units")) == "G20X1F6"
    assert corrupt(LINE, MoveCorruption("feed_scale", 0.5)) == "G21G91G1X0.5F3"
    assert is_move(LINE) and not is_move("$G") and not is_move("G21G91") and not is_move("G4P1")


def test_the_next_move_runs_as_corrupted_and_the_parser_state_shows_it():
    clock = VirtualClock()
    grbl = EmulatedGrbl(clock)
    grbl.transact(b"")
    grbl.inject_fault("corrupt_move", kind="units", count=1)
    assert grbl.transact(b"$G\n").count(b"G21") == 1  # a `$` line is no move: untouched, fault still pending
    assert grbl.transact(b"G21G91G1X0.1F6\n$G\n") == b"ok\r\n[GC:G1 G54 G17 G20 G91 G94 M5 M9 T0 F152 S0]\r\nok\r\n"
    clock.advance_s(60.0)
    assert grbl.position_mm()[0] == pytest.approx(2.54)  # 0.1 inch
    assert b"G21" in grbl.transact(b"G21G91G1X0.1F6\n$G\n")  # count 1: the next move arrives as sent


@pytest.mark.parametrize(("params", "message"), [
    ({}, "kind must be one of"), ({"kind": "volume"}, "kind must be one of"),
    ({"kind": "units", "factor": 10}, "factor applies to kind feed_scale only"),
    ({"kind": "feed_scale", "factor": 1}, "factor must be > 0 and not 1"),
    ({"kind": "units", "count": 0}, "count must be at least 1"), ({"kind": "units", "when": 1}, "unknown parameter"),
])
def test_bad_parameters_are_refused_naming_them(params, message):
    with pytest.raises(EmulatorError, match=message):
        EmulatedGrbl(VirtualClock()).inject_fault("corrupt_move", **params)
