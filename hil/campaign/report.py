"""report.html of a campaign: verdict, outcome matrix (scenario x fault plan), detection-time histogram, envelope
distributions over virtual patients, unsafe outcomes and undetected faults linking to each run's own report."""
from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable, Sequence

from firmware_sim.units import MIN_PER_H
from hil.campaign.config import UNSAFE_RULES, unsafe_rules_text
from hil.campaign.journal import Journal
from hil.campaign.population_summary import percentiles_cover

if TYPE_CHECKING:
    from hil.traceability.hazard_matrix import HazardRow

STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #999;padding:3px 8px;text-align:left}.bad{color:#b00;font-weight:bold}"
         ".good{color:#070;font-weight:bold}")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _e(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape("" if value is None else str(value))


def _link(item: dict[str, Any]) -> str:
    label = f"#{item['index']} {item['scenario']} / {item['rig']} / {item['fault_plan']} r{item['repetition']}"
    if not item.get("folder"):
        return _e(label) + " (no run folder)"
    return f'<a href="{html.escape(item["folder"])}/report.html">{_e(label)}</a>'


def histogram_png(times_h: list[float]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.2))
    axes = figure.subplots()
    minutes = [t * MIN_PER_H for t in times_h]
    axes.hist(minutes, bins=min(max(len(minutes), 1), 30), color="#4477aa")
    axes.set_xlabel("time from fault injection to the first high-priority alarm [min]")
    axes.set_ylabel("runs")
    axes.set_title(f"fault detection times ({len(minutes)} detected faults)")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def _matrix(journal: Journal) -> str:
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    scenarios, plans = [], []
    for run in journal.planned:
        key = (run.spec["scenario"]["name"], run.spec["fault_plan"])
        scenarios += [key[0]] if key[0] not in scenarios else []
        plans += [key[1]] if key[1] not in plans else []
        line = journal.finished.get(run.run_id)
        outcome = "MISSING" if line is None else ("LOST" if line["record_lost"] else line["outcome"])
        cells[key][outcome] += 1
        if line is not None and line["unsafe"]:
            cells[key]["UNSAFE"] += 1

    def cell(counter: Counter) -> str:
        text = ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))
        bad = any(k in counter for k in ("UNSAFE", "LOST", "ERROR", "MISSING", "NOT_EVALUATED"))
        return f'<span class="{"bad" if bad else "good"}">{html.escape(text)}</span>'

    return _table(
        ["scenario \\ fault plan", *plans], ([_e(s)] + [cell(cells[(s, p)]) for p in plans] for s in scenarios)
    )


def _runs_with_reasons(runs: list[dict[str, Any]]) -> str:
    """A table of runs (summary entries with outcome and reason), or "none"."""
    if not runs:
        return "<p class='good'>none</p>"
    return _table(["run", "outcome", "reason"], ([_link(u), _e(u["outcome"]), _e(u["reason"])] for u in runs))


def _software_html(software: list[str]) -> str:
    """The code the runs were made with; a warning when a resume ran other code than the start."""
    if len(software) > 1:
        return (f"<p class='bad'>The runs were made by {len(software)} different builds (the campaign was resumed "
                f"with other code): {_e('; '.join(software))}</p>")
    return f"<p>Software: {_e(software[0])}</p>" if software else ""


def _patients_by_scenario(by_scenario: dict[str, Any]) -> list[str]:
    """Per scenario and envelope: the fraction of its virtual patients passing and the spread of the value."""
    if not by_scenario:
        return []
    rows = ([_e(scenario), _e(name), *_patient_cells(p)]
            for scenario, envelopes in by_scenario.items() for name, p in envelopes.items())
    return ["<h2>Virtual patients per scenario</h2>",
            _table(["scenario", "envelope", "patients passing", "fraction", "p5", "p50", "p95", "unit",
                    "percentiles cover"],
                   rows)]


def _patient_cells(p: dict[str, Any]) -> list[str]:
    """Patients passing, fraction, p5, p50, p95, and what the percentiles cover when not every run's patients."""
    cover = percentiles_cover(p)
    return [_e(p["n_passing"]) + " of " + _e(p["n_patients"]), _e(p["fraction_passing"]), _e(p["p5"]), _e(p["p50"]),
            _e(p["p95"]), _e(p.get("unit") or "-"), f"<span class='bad'>{_e(cover)}</span>" if cover else "every run"]


def _unsafe_rules_html(settings: list[dict[str, Any]]) -> str:
    """The unsafe rules in force (a rule switched off is shown as such: nothing unsafe found is not a check off)."""
    rows = []
    for setting in settings:
        off = [rule for rule in UNSAFE_RULES if not setting.get(rule)]
        text = unsafe_rules_text(setting)
        rows.append([f"<span class='{'bad' if off else 'good'}'>{_e(text)}</span>",
                     _e(f"{setting.get('rate_window_min')} min"), _e(setting.get("scenario_expectations")),
                     _e(setting.get("n_runs"))])
    return "<h2>Unsafe rules in force</h2>" + _table(["rules", "rate window", "scenario expectations", "runs"], rows)


def write_report(folder: Path, journal: Journal, summary: dict[str, Any], rows: Sequence[HazardRow] = ()) -> list[Path]:
    """rows: the hazard traceability rows (hil.campaign.traceability), shown as in traceability.csv."""
    from hil.campaign.output_files import HISTOGRAM_FILENAME, REPORT_FILENAME, write_atomically
    from hil.campaign.traceability import section_html

    times = [line["fault"]["time_to_detection_h"] for line in journal.finished.values()
             if line["fault"] and line["fault"]["detected"] and not line["record_lost"]]
    png = histogram_png(sorted(times))
    write_atomically(folder / HISTOGRAM_FILENAME, png)
    verdict = ("no unsafe outcome, no record lost, every run met its expectations and every run's virtual patients "
               "passed") if summary["exit_code"] == 0 else \
        "FINDINGS: see below"
    partly = summary.get("runs_envelopes_not_evaluated") or []
    if partly:
        verdict += f"; {len(partly)} runs with an envelope not evaluated: not shown safe, their harm unknown"
    detected = summary["faults_detected"]
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>campaign {_e(summary['campaign'])}</title>"
             f"<style>{STYLE}</style></head><body><h1>Campaign {_e(summary['campaign'])}</h1>",
             f"<p class='{'good' if summary['exit_code'] == 0 else 'bad'}'>{_e(verdict)}</p>",
             _software_html(summary.get("software") or []),
             _table(["runs planned", "runs done", "outcomes", "records lost", "runs shown safe", "runs not judged",
                     "runs with an envelope not evaluated", "unsafe outcomes", "faults injected", "faults detected",
                     "detection p50 / p95 / max [h]"],
                    [[_e(summary["runs_planned"]), _e(summary["runs_done"]),
                      _e(", ".join(f"{k} {v}" for k, v in summary["outcomes"].items())), _e(summary["records_lost"]),
                      _e(summary["runs_shown_safe"]), _e(len(summary["runs_not_judged"])),
                      _e(len(summary.get("runs_envelopes_not_evaluated") or [])),
                      _e(len(summary["unsafe_outcomes"])), _e(summary["faults_injected"]), _e(detected["count"]),
                      " / ".join(_e(detected["time_to_detection_h"][k]) for k in ("p50", "p95", "max"))]]),
             _unsafe_rules_html(summary.get("unsafe_rules") or []),
             "<h2>Outcome matrix (scenario x fault plan)</h2>", _matrix(journal),
             "<h2>Fault detection</h2>",
             _table(["alarm", "faults detected"], ([_e(k), _e(v)] for k, v in detected["by_alarm"].items())),
             "<figure><img alt='detection times' src='data:image/png;base64,"
             f"{base64.b64encode(png).decode()}'></figure>",
             "<h2>Envelopes</h2>",
             _table(["envelope", "runs", "patients passing", "fraction", "p5", "p50", "p95", "unit",
                     "percentiles cover"],
                    ([_e(name), _e(", ".join(f"{k} {v}" for k, v in entry["runs"].items())),
                      *(_patient_cells(p) if (p := entry.get("patients")) else ["no virtual patients"] + [""] * 6)]
                     for name, entry in summary["envelopes"].items())),
             *_patients_by_scenario(summary.get("patients_by_scenario") or {}),
             "<h2>Unsafe outcomes</h2>",
             _table(["run", "rule", "detail"], ([_link(u), _e(u["rule"]), _e(u["detail"])]
                                                for u in summary["unsafe_outcomes"])) if summary["unsafe_outcomes"]
             else "<p class='good'>none</p>",
             "<h2>Undetected faults</h2>",
             _table(["run", "fault", "harmless", "why"], ([_link(u), _e(u["fault"]), _e(u["harmless"]), _e(u["why"])]
                                                          for u in summary["faults_undetected"]))
             if summary["faults_undetected"] else "<p class='good'>none</p>",
             "<h2>Records lost</h2>",
             _table(["run", "why"], ([_link(u), _e(u["why"])] for u in summary["records_lost_runs"]))
             if summary["records_lost_runs"] else "<p class='good'>none</p>",
             "<h2>Runs that did not reach their verdict (never counted safe)</h2>",
             _runs_with_reasons(summary["runs_not_judged"]),
             "<h2>Runs that did not meet their scenario's expectations</h2>",
             _runs_with_reasons(summary["expectations_not_met"]),
             "<h2>Runs whose virtual patients did not pass (fewer than min_fraction_passing)</h2>",
             _runs_with_reasons(summary.get("population_not_met") or []),
             section_html(list(rows)),
             "</body></html>"]
    write_atomically(folder / REPORT_FILENAME, "\n".join(parts).encode("utf-8"))
    return [folder / REPORT_FILENAME, folder / HISTOGRAM_FILENAME]
