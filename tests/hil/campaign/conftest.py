"""Shared by the campaign tests: the smoke campaign run once (the tests change copies of its folder, never the folder
itself) and the campaign report's traceability table against traceability.csv."""
from __future__ import annotations

import contextlib
import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from collections.abc import Callable

import pytest


class _Table(HTMLParser):
    """The cells of the table with the given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _report_matches_csv(folder: Path) -> list[list[str]]:
    """Assert the campaign report's traceability table holds exactly traceability.csv's cells; return the rows."""
    from hil.campaign.traceability import TABLE_ID, TRACEABILITY_FILENAME

    parser = _Table(TABLE_ID)
    parser.feed((folder / "report.html").read_text(encoding="utf-8"))
    rows = list(csv.reader(io.StringIO((folder / TRACEABILITY_FILENAME).read_text(encoding="utf-8"))))
    assert parser.rows == rows and len(rows) > 1
    return rows


@pytest.fixture()
def report_matches_csv() -> Callable[[Path], list[list[str]]]:
    return _report_matches_csv


@pytest.fixture(scope="session")
def smoke(tmp_path_factory) -> tuple[int, dict, Path]:
    """(exit code, summary, folder) of the bundled smoke campaign run to its end on 2 process workers."""
    from hil.cli.main import main

    folder = tmp_path_factory.mktemp("smoke") / "campaign"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["campaign", "smoke", "--out", str(folder), "--workers", "2", "--json"])
    return code, json.loads(buffer.getvalue()), folder
