"""The matrix as HTML: a self-contained page (every requirement) and the run report's traceability section
(the requirements the run names, then the IDs it does not cover)."""
from __future__ import annotations

import html
from collections.abc import Iterable

from hil.traceability.model import RequirementTrace, TraceabilityMatrix, coverage_line, status

STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left;vertical-align:top}"
         "ul{margin:0;padding-left:1.2em}.PASS{background:#dfd}.FAIL{background:#fdd}.ERROR{background:#fc8}"
         ".NOT_EVALUATED{background:#ffd}.NOT_COVERED{background:#eee}")


def _evidence(row: RequirementTrace) -> str:
    if not row.evidence:
        return "none"
    items = "".join(f"<li class='{e.outcome.value}'>{html.escape(e.kind)} {html.escape(e.name)}: {e.outcome.value}"
                    + (f"<br><small>{html.escape(e.detail)}</small>" if e.detail else "") + "</li>"
                    for e in row.evidence)
    return f"<ul>{items}</ul>"


def requirements_table(rows: Iterable[RequirementTrace]) -> str:
    body = "".join(
        f"<tr><td>{html.escape(row.requirement_id)}</td><td class='{status(row)}'>{status(row).replace('_', ' ')}</td>"
        f"<td>{html.escape(row.text)}</td><td>{_evidence(row)}</td></tr>" for row in rows)
    return f"<table><tr><th>requirement</th><th>outcome</th><th>text</th><th>evidence</th></tr>{body}</table>"


def section_html(matrix: TraceabilityMatrix | None) -> str:
    """The report's section: coverage line, the covered requirements with their evidence, the uncovered IDs."""
    if matrix is None:
        return (
            "<h2>Traceability</h2><p class='fail'>The traceability matrix could not be built (see output failures).</p>"
        )
    uncovered = [row.requirement_id for row in matrix.requirements if not row.covered]
    return ("<h2>Traceability</h2>" + f"<p>{html.escape(coverage_line(matrix))}</p>"
            + requirements_table(matrix.covered)
            + (f"<p>NOT COVERED by this {matrix.source.kind}: {html.escape(', '.join(uncovered))}</p>" if uncovered
               else ""))


def matrix_page(matrix: TraceabilityMatrix) -> str:
    title = f"itpump traceability: {matrix.source.kind} {matrix.source.name}"
    return "\n".join([
        "<!doctype html><html><head><meta charset='utf-8'>", f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>", f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(coverage_line(matrix))}</p>",
        "<p>A requirement's outcome is the worst of its evidence; NOT COVERED: no test or run names it.</p>",
        requirements_table(matrix.requirements), "</body></html>"])
