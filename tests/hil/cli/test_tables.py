"""hil.cli.tables: fixed width when not on a terminal, cells that fold instead of ending in an ellipsis."""
from __future__ import annotations

import io

from hil.cli.tables import NON_TTY_WIDTH_CHARS, make_console, wrapping_table


def test_redirected_output_gets_the_fixed_width(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert make_console(io.StringIO()).width == NON_TTY_WIDTH_CHARS


def test_columns_still_chooses_the_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "64")
    assert make_console(io.StringIO()).width == 64


def test_a_name_longer_than_the_table_is_folded_not_cut(monkeypatch):
    monkeypatch.setenv("COLUMNS", "30")
    out = io.StringIO()
    table = wrapping_table(None, ("name", "text"), first_column_width_chars=12)
    name = "a-scenario-name-much-longer-than-thirty-columns"
    table.add_row(name, "some words that wrap")
    make_console(out).print(table)
    printed = out.getvalue()
    assert "\u2026" not in printed
    cells = "".join(line.split("│")[1] for line in printed.splitlines() if line.count("│") == 3)
    assert cells.replace(" ", "") == name
