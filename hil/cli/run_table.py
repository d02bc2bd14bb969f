"""The readable verdict of `itpump run`: envelopes, expectations, alarms, volumes, PK peaks, where the report is.

Tables come from hil.cli.tables: names and reasons wrap, never end in an ellipsis, also in a file or a pipe.
"""
from __future__ import annotations

from pathlib import Path

from rich.console import Console

from firmware_sim.outcome import Outcome
from hil.cli.tables import make_console, print_table, wrapping_table
from hil.outputs.overrides import override_lines
from hil.outputs.render import HTML_FILENAME
from hil.results.population import PopulationVerdictResult, worst_patient_text
from hil.results.run import RunResult

STYLE = {Outcome.PASS: "bold green", Outcome.FAIL: "bold red", Outcome.ERROR: "bold magenta",
         Outcome.NOT_EVALUATED: "bold yellow"}
MARK = {Outcome.PASS: "[green]PASS[/]", Outcome.FAIL: "[red]FAIL[/]", Outcome.ERROR: "[magenta]ERROR[/]",
        Outcome.NOT_EVALUATED: "[yellow]NOT_EVALUATED[/]"}

KEEP_NAMES_FROM_WIDTH_CHARS = 80


def _name_width(console: Console, names: list[str]) -> int:
    """The name column keeps the longest name on one line, up to a third of the width, on consoles of at least
    KEEP_NAMES_FROM_WIDTH_CHARS; narrower, every column folds as needed so that no cell is cropped."""
    if console.width < KEEP_NAMES_FROM_WIDTH_CHARS:
        return 0
    return min(max(map(len, names), default=0), console.width // 3)


def _number(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) else "-"


def _percent(value: float | None) -> str:
    return f"{value:+.2f} %" if value is not None else "no percentage: the programmed peak is 0"


def _named(name: object, path: Path) -> str:
    """The name the record and reports use, and the file when its name differs."""
    if not isinstance(name, str):
        return path.stem
    return name if name == path.stem else f"{name} (file {path.name})"


def print_verdict(result: RunResult, scenario: Path, rig: Path, console: Console | None = None) -> None:
    console = console or make_console()
    for index, line in enumerate(override_lines(result.drug_limits)):  # first: a run on changed limits says so
        console.print(f"[bold yellow]{line}[/]" if index == 0 else f"  {line}", markup=index == 0, soft_wrap=True)
    factor = result.time_compression_factor
    provenance = result.provenance or {}
    compression = f" (time compression x{factor:g})" if factor != 1 else ""
    console.print(f"scenario {_named(provenance.get('scenario_name'), scenario)} on rig "
                  f"{_named(provenance.get('rig_id'), rig)}{compression}")
    if result.envelopes:
        table = wrapping_table(
            "PK envelopes (delivered profile)",
            ("envelope", "value / limit", "outcome", "requirements"),
            _name_width(console, [e.name for e in result.envelopes]),
        )
        for e in result.envelopes:
            table.add_row(e.name, f"{_number(e.value)} / {_number(e.limit)} {e.unit}", MARK[e.outcome],
                          "\n".join(e.requirement_ids))  # one ID a line: the names keep the room
        print_table(console, table)
    if result.population_verdict is not None:
        print_table(console, population_table(result.population_verdict, console))
    if result.expectations:
        table = wrapping_table("expectations", ("expectation", "outcome", "detail"),
                               _name_width(console, [x.name for x in result.expectations]))
        for x in result.expectations:
            table.add_row(x.name, MARK[x.outcome], x.detail)
        print_table(console, table)
    if result.alarms:
        console.print("alarms: " + ", ".join(f"{a.name} ({a.priority}) at {a.t_h:.2f} h" for a in result.alarms),
                      soft_wrap=True)
    d = result.delivered
    console.print(f"delivered: commanded {_number(d.commanded_ul)} uL, pump reported "
                  f"{_number(d.pump_reported_ul)} uL, gravimetric {_number(d.gravimetric_ul)} uL")
    for name, peak in result.pk_peaks.items():
        console.print(f"peak {name}: delivered {_number(peak.delivered_ng_per_ml)}, programmed "
                      f"{_number(peak.programmed_ng_per_ml)} ({_percent(peak.difference_percent)})", soft_wrap=True)
    for name, failure in result.output_failures.items():
        console.print(f"[red]output {name} failed[/]: {failure.splitlines()[0]}", soft_wrap=True)
    for name, why in result.outputs_missing.items():
        console.print(f"[red]output {name}[/] {why}", soft_wrap=True)
    console.print(f"[{STYLE[result.outcome]}]{result.outcome.value}[/] {result.reason}", soft_wrap=True)
    report_dir = Path(result.report_dir) if result.report_dir is not None else None
    coverage = run_coverage_line(report_dir)
    if coverage:
        console.print(coverage, soft_wrap=True)
    if report_dir is not None:
        console.print(f"report: {report_dir / HTML_FILENAME}", soft_wrap=True)


def population_table(verdict: PopulationVerdictResult, console: Console):
    """Per envelope: the fraction of virtual patients passing, the spread of its value, the worst patient."""
    title = (f"virtual patients: {verdict.n_patients} (seed {verdict.seed}), each envelope must pass in at least "
             f"{100 * verdict.min_fraction_passing:.4g} %: {verdict.outcome.value}")
    table = wrapping_table(title, ("envelope", "passing", "p5 / p50 / p95", "worst patient", "outcome"),
                           _name_width(console, [e.name for e in verdict.envelopes]))
    for e in verdict.envelopes:
        worst = "-" if e.worst_patient_index is None else f"#{e.worst_patient_index}: {_number(e.worst_value)} {e.unit}"
        params = e.worst_patient_params or {}
        if params and e.outcome is not Outcome.PASS:  # where it matters; the JSON and report.html always have them
            worst += "\n" + worst_patient_text(params, _number)
        passing = (f"{100 * e.fraction_passing:.4g} % ({e.n_passing} of {e.n_patients})"
                   if e.outcome is not Outcome.NOT_EVALUATED else f"none of {e.n_patients} judged")
        table.add_row(e.name, passing,
                      f"{_number(e.p5)} / {_number(e.p50)} / {_number(e.p95)} {e.unit}", worst, MARK[e.outcome])
    return table


def run_coverage_line(report_dir: Path | None) -> str | None:
    """'requirements: 10 of 61 covered, ...' from the run folder's traceability.json, if it was written."""
    from hil.outputs.traceability import TRACEABILITY_FILENAME
    from hil.traceability.files import load_matrix
    from hil.traceability.model import coverage_line

    path = report_dir / TRACEABILITY_FILENAME if report_dir is not None else None
    return coverage_line(load_matrix(path)) if path is not None and path.is_file() else None
