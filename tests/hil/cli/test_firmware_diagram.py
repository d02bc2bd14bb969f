"""`itpump firmware-diagram`: mermaid text and a readable PNG drawn from the firmware's transition table."""
from __future__ import annotations

import struct

from firmware_sim.pump.states import TRANSITIONS, PumpState
from hil.cli.firmware_diagram import ANY_STATE, LAYOUT, diagram_edges
from hil.cli.main import main


def test_every_transition_of_the_table_is_drawn_once():
    edges, internal = diagram_edges()
    drawn = [label for labels in edges.values() for label in labels] + [
        label for labels in internal.values() for label in labels
    ]
    for t in TRANSITIONS:
        assert any(label.startswith(t["trigger"]) for label in drawn), t["trigger"]
    assert edges[(ANY_STATE, PumpState.ALARM)] == ["raise_alarm"]  # one arrow, not one from each state
    assert not any(dest is PumpState.ALARM for source, dest in edges if source != ANY_STATE)
    assert edges[(PumpState.BOLUS, PumpState.IDLE)] == ["bolus_done [not has_basal_program]", "stop"]
    assert "refill" in internal[PumpState.ALARM] and "change_program" in internal[PumpState.CONTINUOUS]


def test_every_state_has_its_own_place():
    assert set(LAYOUT) == set(PumpState)
    assert len(set(LAYOUT.values())) == len(LAYOUT)


def test_png_is_written(tmp_path, capsys):
    out = tmp_path / "states.png"
    assert main(["firmware-diagram", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("stateDiagram-v2")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 800 and height > 600 and len(data) > 30000


def test_other_suffix_is_refused(tmp_path, capsys):
    assert main(["firmware-diagram", "--out", str(tmp_path / "states.svg")]) == 2
    assert "only .png" in capsys.readouterr().err
