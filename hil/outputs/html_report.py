"""report.html: self-contained (PNGs embedded as base64). It opens with what was run, on what, by whom and what
PASS means (report_header), then the verdict's evidence: delivered volume, expectations, envelopes (limits with
their direction and units), alarms, steps (times in hours, 2 decimals), traceability, plots and provenance. An
ERROR run first says what ran and what did not (run_coverage) instead of showing empty tables."""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Sequence

from hil.outputs.overrides import override_lines
from hil.outputs.report_format import hours_text, limit_text, number_text, value_text
from hil.outputs.report_header import header_html
from hil.outputs.run_coverage import run_coverage
from hil.records import events as ev
from hil.results.population import worst_patient_text
from hil.traceability.model import TraceabilityMatrix
from hil.traceability.page import section_html as traceability_section

STYLE = ("body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left;vertical-align:top}"
         "table.header th{background:#f4f4f4;white-space:nowrap}.pass{color:green}.fail{color:#c00}"
         ".PASS{background:#dfd}.FAIL{background:#fdd}.ERROR{background:#fc8}.NOT_EVALUATED{background:#eee}img{max-width:100%}"
         ".coverage{border:2px solid #c60;padding:0.5em 1em;background:#fff6ec}")


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], empty: str = "none") -> str:
    rows = list(rows)
    if not rows:
        return f"<p class='empty'><em>{html.escape(empty)}</em></p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return '<span class="pass">PASS</span>' if value else '<span class="fail">FAIL</span>'
    if isinstance(value, (list, tuple)):
        return html.escape(", ".join(str(v) for v in value))
    if isinstance(value, float):
        return html.escape(number_text(value))
    return html.escape("" if value is None else str(value))


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}"></figure>'


def _verdict(envelope: dict[str, Any]) -> object:
    return "NOT_EVALUATED" if envelope.get("outcome") == "NOT_EVALUATED" else envelope["passed"]


def _population(verdict: dict[str, Any] | None) -> list[str]:
    """The virtual-patient verdict: per envelope the fraction passing, the value's spread, the worst patient."""
    if verdict is None:
        return []
    intro = (f"<p>{verdict['n_patients']} virtual patients (seed {verdict['seed']}); each envelope must pass in at "
             f"least {100 * verdict['min_fraction_passing']:.4g} % of them: {html.escape(verdict['outcome'])}</p>")
    rows = []
    for e in verdict["envelopes"]:
        params = e["worst_patient_params"] or {}
        worst = "" if e["worst_patient_index"] is None else (
            f"#{e['worst_patient_index']}: {value_text(e['worst_value'], e['unit'])}; "
            + worst_patient_text(params, number_text))
        rows.append([e["name"], _verdict(e), f"{100 * e['fraction_passing']:.4g} % ({e['n_passing']} of "
                     f"{e['n_patients']})", " / ".join(value_text(e[q], e["unit"]) if e[q] is not None else "-"
                                                      for q in ("p5", "p50", "p95")),
                     limit_text(e["name"], e["limit"], e["unit"]), worst, e["requirement_ids"]])
    return ["<h2>Virtual patients</h2>" + intro + _table(
        ["envelope", "verdict", "patients passing", "p5 / p50 / p95", "limit", "worst patient", "requirements"], rows)]


def _evidence(summary: dict[str, Any], error: bool) -> list[str]:
    """The tables; on an ERROR run an empty one says what was not done rather than showing no rows."""
    delivered = summary["delivered"]
    not_run = " (the run ended in ERROR before it got there)" if error else ""
    return [
        "<h2>Delivered volume</h2>" + _table(
            ["commanded", "pump reported", "gravimetric"],
            [[value_text(delivered[key], "ul") if delivered[key] is not None else "not measured"
              for key in ("commanded_ul", "pump_reported_ul", "gravimetric_ul")]]),
        "<h2>Expectations</h2>" + _table(
            ["name", "verdict", "detail", "requirements"],
            [[e["name"], e["passed"], e["detail"], e["requirement_ids"]] for e in summary["expectations"]],
            empty=f"no expectation was evaluated{not_run}"),
        "<h2>Envelopes</h2>" + _table(
            ["name", "verdict", "value", "limit", "requirements", "reason"],
            [[e["name"], _verdict(e), value_text(e["value"], e["unit"]), limit_text(e["name"], e["limit"], e["unit"]),
              e["requirement_ids"], e["reason"]] for e in summary["envelopes"]],
            empty=f"the PK verdict was not evaluated{not_run}"),
        *_population(summary.get("population_verdict")),
        "<h2>Alarms</h2>" + _table(
            ["t (h)", "name", "priority"], [[hours_text(a["t_h"]), a["name"],
                                             a["priority"]] for a in summary["alarms"]],
            empty="no alarms"),
        "<h2>Steps</h2>" + _table(
            ["#", "t (h)", "action", "decision", "expected", "reasons", "soft limits overridden", "requirements"],
            [[s["index"], hours_text(s["t_h"]), s["action"], s["decision"], s["expected_decision"], s["reasons"],
              s.get("overridden") or "", s["requirement_ids"]] for s in summary["steps"]],
            empty=f"no step was executed{not_run}"),
    ]


def write_html(summary: dict[str, Any], matrix: TraceabilityMatrix | None, images: Sequence[Path],
               notes: Sequence[str], failures: dict[str, str], path: Path, rig: ev.RigOpened | None = None) -> None:
    """rig: the record's rig_opened event (ports and device identities), None if the rig never opened."""
    outcome = summary["outcome"]
    provenance = summary.get("provenance") or {}
    name = html.escape(str(provenance.get("scenario_name", "run")))
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>itpump run {name}: {outcome}</title><style>{STYLE}</style></head><body>",
        f"<h1 class='{outcome}'>{name}: {outcome}</h1>",
        f"<p>{html.escape(summary['reason'])}</p>",
    ]
    overrides = override_lines(summary.get("drug_limits"))
    if overrides:  # right under the verdict: a run on changed drug limits says so first
        parts.append(f"<div class='fail'><h2>{html.escape(overrides[0])}</h2><ul>"
                     + "".join(f"<li>{html.escape(line)}</li>" for line in overrides[1:]) + "</ul></div>")
    parts.append(header_html(provenance, rig))
    if outcome == "ERROR":
        lines = run_coverage(summary).lines()
        parts.append("<div class='coverage'><h2>What ran and what did not</h2><ul>"
                     + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul></div>")
    if summary.get("record_damage"):
        parts.append("<h2 class='fail'>Record damage</h2><p>The record is not intact; what could be read is shown "
                     "below.</p>" + _table(["problem"], [[d] for d in summary["record_damage"]]))
    if summary.get("record_chained") is False:
        parts.append("<h2 class='fail'>Record not chained</h2><p>No line of the record carries its chain value, as in "
                     "records written before lines were chained: an altered line could not be found.</p>")
    if failures:
        parts.append("<h2>Output failures</h2>" + _table(["output", "error"], sorted(failures.items())))
    if summary.get("outputs_missing"):
        parts.append("<h2 class='fail'>Outputs not written</h2>" + _table(
            ["output", "why"], sorted(summary["outputs_missing"].items())))
    parts.extend(_evidence(summary, outcome == "ERROR"))
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
