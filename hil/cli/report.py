"""`itpump report RUN_DIR`: re-render every output of a run folder from its record.jsonl.

A damaged record (bad bytes, cut short, lines altered, dropped or repeated) renders what is readable as ERROR,
naming the damage by line; this command never ends in a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hil.records.writer import RECORD_FILENAME
from hil.runner.result import EXIT_CODES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="re-render the outputs of a run folder",
                                   description="Re-render summary.json, junit.xml, CSV, plots and report.html from "
                                               "RUN_DIR/record.jsonl. Exit 0 on PASS, 1 on FAIL, 2 on ERROR "
                                               "(a damaged or unfinished record is ERROR).")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    record_path = args.run_dir / RECORD_FILENAME
    if not record_path.is_file():
        print(f"error: {record_path} not found (RUN_DIR must be a run folder with {RECORD_FILENAME})", file=sys.stderr)
        return 2
    try:
        from hil.outputs.render import render_all  # matplotlib loads only when a report is rendered

        result = render_all(args.run_dir)
    except OSError as exc:
        print(f"error: cannot read {record_path}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ERROR: interrupted by the operator (Ctrl-C) before the outputs of {args.run_dir} were rendered",
              file=sys.stderr)
        return 2
    for name, failure in sorted(result.failures.items()):
        print(f"output {name} failed: {failure.splitlines()[0]}", file=sys.stderr)
    for name, why in sorted(result.missing.items()):
        print(f"output {name} {why}", file=sys.stderr)
    print(f"{result.outcome}: {result.reason}")
    print(f"report: {result.report_html}")
    return EXIT_CODES.get(result.outcome, 2)
