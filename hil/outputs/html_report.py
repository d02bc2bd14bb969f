"""report.html: self-contained (PNGs embedded as base64): verdicts, envelopes, alarms, steps,
traceability and provenance."""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from hil.outputs.overrides import override_lines
from hil.traceability.model import TraceabilityMatrix
from hil.traceability.page import section_html as traceability_section


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return '<span class="pass">PASS</span>' if value else '<span class="fail">FAIL</span>'
    if isinstance(value, (list, tuple)):
        return html.escape(", ".join(str(v) for v in value))
    if isinstance(value, float):
        return f"{value:.6g}"
    return html.escape("" if value is None else str(value))


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}"></figure>'


def write_html(summary: dict[str, Any], matrix: TraceabilityMatrix | None, images: Sequence[Path],
               notes: Sequence[str], failures: dict[str, str], path: Path) -> None:
    outcome = summary["outcome"]
    provenance = summary.get("provenance") or {}
    delivered = summary["delivered"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>itpump run {html.escape(str(provenance.get('scenario_name', '')))}: {outcome}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left}.pass{color:green}.fail{color:#c00}"
        ".PASS{background:#dfd}.FAIL{background:#fdd}.ERROR{background:#fc8}img{max-width:100%}</style>",
        "</head><body>",
        f"<h1 class='{outcome}'>{html.escape(str(provenance.get('scenario_name', 'run')))}: {outcome}</h1>",
        f"<p>{html.escape(summary['reason'])}</p>",
    ]
    overrides = override_lines(summary.get("drug_limits"))
    if overrides:  # right under the verdict: a run on changed drug limits says so first
        parts.append(f"<div class='fail'><h2>{html.escape(overrides[0])}</h2><ul>"
                     + "".join(f"<li>{html.escape(line)}</li>" for line in overrides[1:]) + "</ul></div>")
    if summary.get("record_damage"):
        parts.append("<h2 class='fail'>Record damage</h2><p>The record is not intact; what could be read is shown "
                     "below.</p>" + _table(["problem"], [[d] for d in summary["record_damage"]]))
    if failures:
        parts.append("<h2>Output failures</h2>" + _table(["output", "error"], sorted(failures.items())))
    if summary.get("outputs_missing"):
        parts.append("<h2 class='fail'>Outputs not written</h2>" + _table(
            ["output", "why"], sorted(summary["outputs_missing"].items())))
    parts.append("<h2>Delivered volume</h2>" + _table(
        ["commanded (uL)", "pump reported (uL)", "gravimetric (uL)"],
        [[delivered["commanded_ul"], delivered["pump_reported_ul"], delivered["gravimetric_ul"]]]))
    parts.append("<h2>Expectations</h2>" + _table(
        ["name", "verdict", "detail", "requirements"],
        [[e["name"], e["passed"], e["detail"], e["requirement_ids"]] for e in summary["expectations"]]))
    parts.append("<h2>Envelopes</h2>" + _table(
        ["name", "verdict", "value", "limit", "unit", "requirements", "reason"],
        [[e["name"], "NOT_EVALUATED" if e.get("outcome") == "NOT_EVALUATED" else e["passed"], e["value"], e["limit"],
          e["unit"], e["requirement_ids"], e["reason"]]
         for e in summary["envelopes"]]))
    parts.append("<h2>Alarms</h2>" + _table(
        ["t (h)", "name", "priority"], [[a["t_h"], a["name"], a["priority"]] for a in summary["alarms"]]))
    parts.append("<h2>Steps</h2>" + _table(
        ["#", "t (h)", "action", "decision", "expected", "reasons", "requirements"],
        [[s["index"], s["t_h"], s["action"], s["decision"], s["expected_decision"], s["reasons"],
          s["requirement_ids"]] for s in summary["steps"]]))
    parts.append(traceability_section(matrix))
    parts.append("<h2>Plots</h2>" + "".join(_image(p) for p in images))
    parts.extend(f"<p><em>{html.escape(note)}</em></p>" for note in notes)
    parts.append("<h2>Provenance</h2>" + _table(
        ["key", "value"], [[k, v if isinstance(v, str) else json.dumps(v, sort_keys=True)]
                           for k, v in provenance.items() if k != "event"]))
    if summary.get("record_truncated"):
        parts.append("<p class='fail'>The record's last line was truncated (the run was killed while writing).</p>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
