"""`itpump report RUN_DIR [--json]`: re-render every output of a run folder from its record.jsonl.

A damaged record (bad bytes, cut short, lines altered, dropped or repeated) renders what is readable as ERROR,
naming the damage by line; this command never ends in a traceback. --json prints the run's result, the same
object as `itpump run --json` (summary.json plus report_dir).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hil.cli.exit_codes import ExitCode
from hil.cli.json_output import fail, print_result
from hil.records.writer import RECORD_FILENAME
from hil.results.error import ErrorKind


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="re-render the outputs of a run folder",
                                   description="Re-render summary.json, junit.xml, CSV, plots and report.html from "
                                               "RUN_DIR/record.jsonl. Exit 0 on PASS, 1 on FAIL, 2 on bad input (no "
                                               "record), 3 on ERROR (a damaged or unfinished record is ERROR).")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--json", action="store_true", help="print the run's result as one JSON object")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    record_path = args.run_dir / RECORD_FILENAME
    if not record_path.is_file():
        return fail(args, ErrorKind.BAD_INPUT,
                    f"{record_path} not found (RUN_DIR must be a run folder with {RECORD_FILENAME})")
    try:
        from hil.outputs.render import render_all  # matplotlib loads only when a report is rendered
        from hil.runner.result import run_result

        rendered = render_all(args.run_dir)
    except OSError as exc:
        return fail(args, ErrorKind.ERROR, f"cannot read {record_path}: {exc}")
    except KeyboardInterrupt:
        return fail(args, ErrorKind.ERROR,
                    f"interrupted by the operator (Ctrl-C) before the outputs of {args.run_dir} were rendered")
    result = run_result(rendered.record, rendered.outcome, rendered.reason, rendered.run_dir, rendered.failures,
                        rendered.missing)
    if args.json:
        print_result(result)
    else:
        for name, failure in sorted(result.output_failures.items()):
            print(f"output {name} failed: {failure.splitlines()[0]}", file=sys.stderr)
        for name, why in sorted(result.outputs_missing.items()):
            print(f"output {name} {why}", file=sys.stderr)
        print(f"{result.outcome.value}: {result.reason}")
        print(f"report: {rendered.report_html}")
    return ExitCode.for_outcome(result.outcome)
