"""The matrix as files: NAME.json (the schema, loadable again), NAME.csv (one row per requirement, for a
spreadsheet), NAME.html (a small self-contained page) and a sphinx-needs needs.json (hil.traceability.needs),
side by side.

    paths = write_matrix_files(matrix, run_dir / "traceability.json")   # + .csv, .html, needs.json
    matrix = load_matrix(run_dir / "traceability.json")
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from collections.abc import Iterable

from hil.traceability.model import Evidence, TraceabilityMatrix, status
from hil.traceability.needs import needs_path, write_needs_file
from hil.traceability.page import matrix_page

CSV_COLUMNS = ("requirement_id", "outcome", "evidence_count", "evidence", "text", "registered")


def evidence_text(evidence: Iterable[Evidence]) -> str:
    return " | ".join(f"{e.kind} {e.name}: {e.outcome.value}" for e in evidence)


def matrix_csv(matrix: TraceabilityMatrix) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in matrix.requirements:
        writer.writerow([row.requirement_id, status(row), len(row.evidence), evidence_text(row.evidence), row.text,
                         "yes" if row.registered else "no"])
    return buffer.getvalue()


def companion_paths(json_path: Path) -> tuple[Path, Path, Path, Path]:
    """junit.traceability.json -> (that, junit.traceability.csv, junit.traceability.html, junit.needs.json)."""
    return json_path, json_path.with_suffix(".csv"), json_path.with_suffix(".html"), needs_path(json_path)


def write_matrix_files(matrix: TraceabilityMatrix, json_path: Path | str) -> list[Path]:
    json_file, csv_file, html_file, needs_file = companion_paths(Path(json_path))
    json_file.parent.mkdir(parents=True, exist_ok=True)
    json_file.write_text(matrix.model_dump_json(indent=2), encoding="utf-8")
    csv_file.write_text(matrix_csv(matrix), encoding="utf-8")
    html_file.write_text(matrix_page(matrix), encoding="utf-8")
    write_needs_file(matrix, needs_file)
    return [json_file, csv_file, html_file, needs_file]


def load_matrix(json_path: Path | str) -> TraceabilityMatrix:
    return TraceabilityMatrix.model_validate_json(Path(json_path).read_text(encoding="utf-8"))
