"""A campaign's traceability: traceability.csv (hazard -> requirement -> checks in code -> tests and campaign
runs -> last outcome, hil.traceability.hazard_matrix), the same rows as a report.html section, and needs.json
(sphinx-needs: hazards, requirements, checks in code, the campaign's runs and the last test outcomes, linked)."""
from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from firmware_sim.outcome import Outcome
from hil.campaign.journal import Journal
from hil.traceability.hazard_matrix import CSV_COLUMNS, NOT_RUN, HazardRow, hazard_csv, hazard_rows

if TYPE_CHECKING:
    from hil.traceability.model import TraceabilityMatrix

TRACEABILITY_FILENAME = "traceability.csv"
NEEDS_FILENAME = "needs.json"
TABLE_ID = "hazard-traceability"


def journal_rows(journal: Journal) -> list[HazardRow]:
    return hazard_rows((run.spec, journal.finished.get(run.run_id)) for run in journal.planned)


def _matrix(name: str, rows: list[HazardRow]) -> TraceabilityMatrix:
    from hil.traceability.model import Evidence, Source, build_matrix

    evidence = []
    for row in rows:
        if row.campaign_outcome != NOT_RUN:
            evidence.append((row.requirement_id, Evidence(
                kind="campaign", name=f"campaign {name}: {row.campaign_runs} runs provoking {row.hazard_id}",
                outcome=Outcome(row.campaign_outcome))))
        if row.test_outcome != NOT_RUN:
            evidence.append((row.requirement_id, Evidence(
                kind="test", name=f"last pytest run: the {len(row.tests)} tests naming {row.requirement_id}",
                outcome=Outcome(row.test_outcome))))
    return build_matrix(Source(kind="campaign", name=name), evidence)


def write_traceability(folder: Path, journal: Journal, rows: list[HazardRow]) -> list[Path]:
    from hil.campaign.output_files import write_atomically
    from hil.traceability.needs import write_needs_file

    write_atomically(folder / TRACEABILITY_FILENAME, hazard_csv(rows).encode("utf-8"))
    checks: dict[str, tuple[str, ...]] = {row.requirement_id: row.checks for row in rows}
    partial = folder / (NEEDS_FILENAME + ".partial")
    write_needs_file(_matrix(str(journal.header.get("name")), rows), partial, checks=checks)
    partial.replace(folder / NEEDS_FILENAME)
    return [folder / TRACEABILITY_FILENAME, folder / NEEDS_FILENAME]


def section_html(rows: list[HazardRow]) -> str:
    """The report's section: exactly the cells of traceability.csv."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in CSV_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row.cells()) + "</tr>" for row in rows)
    return ("<h2>Traceability: hazard, requirement, checks in code, tests, campaign runs, last outcome</h2>"
            f"<p>Also {TRACEABILITY_FILENAME} and {NEEDS_FILENAME} in this folder. Checks and tests are read from the "
            "code; test outcomes from the last pytest traceability file (NOT_RUN when there is none).</p>"
            f"<table id='{TABLE_ID}'><tr>{head}</tr>{body}</table>")
