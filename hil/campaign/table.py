"""The campaign summary in the terminal."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from hil.campaign.config import unsafe_rules_text
from hil.campaign.population_summary import percentiles_cover


def _n(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else ("-" if value is None else str(value))


def _where(item: dict[str, Any]) -> str:
    return f"#{item['index']} {item['scenario']}/{item['rig']}/{item['fault_plan']} r{item['repetition']}"


def print_summary(summary: dict[str, Any], folder: Path, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    detected = summary["faults_detected"]
    table = Table(title=f"campaign {summary['campaign']}")
    table.add_column("measure")
    table.add_column("value")
    times = detected["time_to_detection_h"]
    rows = [("software", "; ".join(summary.get("software") or []) or "-"),
            ("runs planned / done", f"{summary['runs_planned']} / {summary['runs_done']}"),
            ("outcomes", ", ".join(f"{k} {v}" for k, v in summary["outcomes"].items()) or "-"),
            ("records lost", str(summary["records_lost"])),
            ("runs shown safe / not judged / with an envelope not evaluated",
             f"{summary['runs_shown_safe']} / {len(summary['runs_not_judged'])} / "
             f"{len(summary.get('runs_envelopes_not_evaluated') or [])}"),
            ("unsafe outcomes", str(len(summary["unsafe_outcomes"]))),
            ("faults planned / injected", f"{summary['faults_planned']} / {summary['faults_injected']}"),
            ("faults detected",
             f"{detected['count']} ({', '.join(f'{k} {v}' for k, v in detected['by_alarm'].items()) or '-'})"),
            ("time to detection p50 / p95 / max [h]", " / ".join(_n(times[k]) for k in ("p50", "p95", "max"))),
            ("faults undetected", str(len(summary["faults_undetected"]))),
            ("runs not meeting their expectations", str(len(summary["expectations_not_met"]))),
            ("runs whose virtual patients did not pass", str(len(summary.get("population_not_met") or [])))]
    for setting in summary.get("unsafe_rules") or []:
        rows.append(("unsafe rules in force", f"{unsafe_rules_text(setting)} ({setting.get('n_runs')} runs)"))
    for name, entry in summary["envelopes"].items():
        p = entry.get("patients")
        text = ", ".join(f"{k} {v}" for k, v in entry["runs"].items())
        if p:
            cover = percentiles_cover(p)
            fraction = p["fraction_passing"]
            passing = "-" if fraction is None else f"{100 * fraction:.4g} %"
            text += (f"; patients passing {passing} ({p['n_passing']} of {p['n_patients']}), "
                     f"p5/p50/p95 {_n(p['p5'])}/{_n(p['p50'])}/{_n(p['p95'])} {p.get('unit') or ''}".rstrip()
                     + (f" ({cover})" if cover else ""))
        rows.append((f"envelope {name}", text))
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for u in summary["unsafe_outcomes"]:
        console.print(f"[bold red]UNSAFE[/] {_where(u)}: {u['rule']}: {u['detail']}", soft_wrap=True)
    for u in summary["faults_undetected"]:
        console.print(f"[yellow]undetected[/] {_where(u)}: {u['fault']} (harmless: {_n(u['harmless'])}): {u['why']}",
                      soft_wrap=True)
    for u in summary["records_lost_runs"]:
        console.print(f"[bold magenta]record lost[/] {_where(u)}: {u['why']}", soft_wrap=True)
    for u in summary["runs_not_judged"]:
        console.print(f"[magenta]not judged[/] {_where(u)}: {u['reason']}", soft_wrap=True)
    for u in (summary.get("runs_envelopes_not_evaluated") or [])[:20]:
        console.print(f"[yellow]envelope not evaluated[/] {_where(u)}: {', '.join(u['envelopes'])} (not shown safe)",
                      soft_wrap=True)
    for u in summary["expectations_not_met"][:20]:
        console.print(f"[red]{u['outcome']}[/] {_where(u)}: {u['reason']}", soft_wrap=True)
    for u in (summary.get("population_not_met") or [])[:20]:
        console.print(f"[red]patients[/] {_where(u)}: {u['reason']}", soft_wrap=True)
    verdict = "[bold green]OK[/]" if summary["exit_code"] == 0 else "[bold red]FINDINGS[/]"
    console.print(f"{verdict} campaign folder: {folder} (report: {folder / 'report.html'})")
