"""`itpump run SCENARIO [--rig RIG] [--out DIR] [--json]`: run a scenario on a rig and print the verdict.

SCENARIO and RIG are paths or bundled names (bench_configs/scenarios/<name>.yaml, bench_configs/rigs/<name>.yaml).
Exit 0 PASS, 1 FAIL, 2 bad input, 3 ERROR (Ctrl-C at any moment is ERROR: the pump is stopped, the record
says so and the outputs are written or marked missing). Under --json an error is one error object.
"""
from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from hil.paths import DEFAULT_RIG, bundled, not_found_message
from hil.runner.options import DEFAULT_GRAVIMETRIC_DURATION_H
from hil.cli.exit_codes import ExitCode
from hil.cli.json_output import fail, print_result
from hil.results.error import ErrorKind


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a therapy or hazard scenario on a rig",
        description="Run SCENARIO on RIG; writes a run folder (record.jsonl, summary.json, "
        "junit.xml, CSV, plots, report.html). Exit 0 PASS, 1 FAIL, 2 bad input, 3 ERROR.",
    )
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file or bundled name")
    parser.add_argument("--rig", default=DEFAULT_RIG, help=f"rig file or bundled name (default {DEFAULT_RIG})")
    parser.add_argument("--out", type=Path, default=None, help="run folder (default runs/<timestamp>-<scenario>)")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object instead of the table")
    parser.add_argument("--time-compression", type=float, default=1.0, metavar="FACTOR",
                        help="wall-clock rigs: run scenario time FACTOR times faster, rates scaled by FACTOR")
    parser.add_argument("--gravimetric-start-h", type=float, default=None,
                        help="start of the balance sampling window (default: the first delivery step)")
    parser.add_argument("--gravimetric-duration-h", type=float, default=DEFAULT_GRAVIMETRIC_DURATION_H,
                        help=f"length of that window (default {DEFAULT_GRAVIMETRIC_DURATION_H:g})")
    parser.add_argument("--operator", default=None, help="who runs it (recorded and shown in the report)")
    parser.add_argument("--dut", default=None, metavar="ID",
                        help="device-under-test identifier, e.g. pump serial or firmware build (recorded)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (virtual clock) or live status (wall clock) on the terminal")
    parser.add_argument("--stop-on-alarm", choices=("low", "medium", "high"), default=None, metavar="PRIORITY",
                        help="end the run (pump stopped, ERROR) when an alarm of PRIORITY (low|medium|high) or "
                             "higher latches")
    parser.set_defaults(func=handle)


def default_out(scenario: Path) -> Path:
    return Path("runs") / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{scenario.stem}"


def handle(args: argparse.Namespace) -> int:
    from hil.runner import RunOptions, run_scenario
    from hil.runner.interrupt import RunInterrupted
    from hil.runner.run import BadInput

    scenario, rig = bundled("scenarios", args.scenario), bundled("rigs", args.rig)
    for what, path in (("scenario", scenario), ("rig", rig)):
        if not path.is_file():
            return fail(args, ErrorKind.BAD_INPUT, not_found_message(what, path))
    try:
        options = RunOptions(out_dir=args.out or default_out(scenario), time_compression_factor=args.time_compression,
                             gravimetric_start_h=args.gravimetric_start_h,
                             gravimetric_duration_h=args.gravimetric_duration_h,
                             progress=not (args.json or args.no_progress), print_run_dir=not args.json,
                             stop_on_alarm=args.stop_on_alarm, operator=args.operator, dut_id=args.dut)
        result = run_scenario(scenario, rig, options)
    except (BadInput, ValueError) as exc:
        return fail(args, ErrorKind.BAD_INPUT, str(exc))
    except RunInterrupted as exc:
        return fail(args, ErrorKind.ERROR, str(exc))
    except KeyboardInterrupt:  # outside the run's own Ctrl-C handling (before it was installed)
        return fail(args, ErrorKind.ERROR, "interrupted by the operator (Ctrl-C)")
    if args.json:
        print_result(result)
    else:
        from hil.cli.run_table import print_verdict
        print_verdict(result, scenario, rig)
    return ExitCode.for_outcome(result.outcome)
