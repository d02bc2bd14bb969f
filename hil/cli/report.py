"""`itpump report RUN_DIR`: re-render every output of a run folder from its record.jsonl."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hil.records.events import RecordFormatError
from hil.records.writer import RECORD_FILENAME
from hil.runner.result import EXIT_CODES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="re-render the outputs of a run folder",
                                   description="Re-render summary.json, junit.xml, CSV, plots and report.html from "
                                               "RUN_DIR/record.jsonl. Exit 0 on PASS, 1 on FAIL, 2 on ERROR.")
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
    except RecordFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, failure in sorted(result.failures.items()):
        print(f"output {name} failed: {failure.splitlines()[0]}", file=sys.stderr)
    print(f"{result.outcome}: {result.reason}")
    print(f"report: {result.report_html}")
    return EXIT_CODES.get(result.outcome, 2)
