"""hil.cli.tables: fixed width when not on a terminal, cells that fold instead of ending in an ellipsis."""
from __future__ import annotations

import io

from hil.cli.tables import NON_TTY_WIDTH_CHARS, make_console, print_table, wrapping_table


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


def test_a_table_wider_than_the_console_is_never_cut(monkeypatch):
    """`itpump list scenarios > file`: the name column kept its width, the table came out wider than 120 columns
    and every line was cropped there, requirement IDs cut mid-word."""
    monkeypatch.delenv("COLUMNS", raising=False)
    out = io.StringIO()
    table = wrapping_table(None, ("scenario", "kind", "duration_h", "description", "requirements"), 42)
    ids = "SR-DOSE-003, SR-SUP-001, SR-PK-002, SR-PK-004, SR-PK-003, SR-PK-005"
    table.add_row("x" * 42, "therapy", "72", "Adult maintenance, 500 mcg/day then flex 450/550 mcg/day", ids)
    print_table(make_console(out), table)
    cells = " ".join(line.split("│")[5].strip() for line in out.getvalue().splitlines() if line.count("│") == 6)
    assert cells == ids
