"""The readable verdict of `itpump run`: envelopes, expectations, alarms, volumes, PK peaks, where the report is."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from hil.outputs.overrides import override_lines
from hil.runner.result import RunResult

STYLE = {"PASS": "bold green", "FAIL": "bold red", "ERROR": "bold magenta"}


def _mark(passed: bool) -> str:
    return "[green]pass[/]" if passed else "[red]FAIL[/]"


def _number(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) else "-"


def print_verdict(result: RunResult, scenario: Path, rig: Path, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    for index, line in enumerate(override_lines(result.drug_limits)):  # first: a run on changed limits says so
        console.print(f"[bold yellow]{line}[/]" if index == 0 else f"  {line}", markup=index == 0, soft_wrap=True)
    console.print(f"scenario {scenario.stem} on rig {rig.stem}"
                  + (f" (time compression x{result.time_compression_factor:g})" if result.time_compression_factor != 1
                     else ""))
    if result.envelopes:
        table = Table(title="PK envelopes (delivered profile)")
        for column in ("envelope", "value", "limit", "unit", "verdict", "requirements"):
            table.add_column(column)
        for e in result.envelopes:
            mark = "[yellow]not evaluated[/]" if e.get("outcome") == "NOT_EVALUATED" else _mark(e["passed"])
            table.add_row(e["name"], _number(e["value"]), _number(e["limit"]), e["unit"], mark,
                          ", ".join(e["requirement_ids"]))
        console.print(table)
    if result.expectations:
        table = Table(title="expectations")
        for column in ("expectation", "verdict", "detail"):
            table.add_column(column)
        for x in result.expectations:
            table.add_row(x["name"], _mark(x["passed"]), x["detail"])
        console.print(table)
    if result.alarms:
        console.print("alarms: " + ", ".join(f"{a['name']} ({a['priority']}) at {a['t_h']:.2f} h" for a in result.alarms))
    d = result.delivered
    console.print(f"delivered: commanded {_number(d.get('commanded_ul'))} uL, pump reported "
                  f"{_number(d.get('pump_reported_ul'))} uL, gravimetric {_number(d.get('gravimetric_ul'))} uL")
    for name, peak in result.pk_peaks.items():
        console.print(f"peak {name}: delivered {_number(peak['delivered'])}, programmed {_number(peak['programmed'])} "
                      f"({peak['difference_percent']:+.2f} %)")
    for name, failure in result.output_failures.items():
        console.print(f"[red]output {name} failed[/]: {failure.splitlines()[0]}")
    for name, why in result.outputs_missing.items():
        console.print(f"[red]output {name}[/] {why}")
    console.print(f"[{STYLE.get(result.outcome, 'bold')}]{result.outcome}[/] {result.reason}")
    coverage = run_coverage_line(result.report_dir)
    if coverage:
        console.print(coverage)
    if result.report_html is not None:
        console.print(f"report: {result.report_html}")


def run_coverage_line(report_dir: Path | None) -> str | None:
    """'requirements: 10 of 61 covered, ...' from the run folder's traceability.json, if it was written."""
    from hil.outputs.traceability import TRACEABILITY_FILENAME
    from hil.traceability.files import load_matrix
    from hil.traceability.model import coverage_line

    path = report_dir / TRACEABILITY_FILENAME if report_dir is not None else None
    return coverage_line(load_matrix(path)) if path is not None and path.is_file() else None
