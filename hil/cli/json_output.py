"""How commands print results and errors: one JSON object on stdout under --json, else text.

    print_result(model)                                 # the result's JSON, NaN/Infinity refused
    return fail(args, ErrorKind.BAD_INPUT, "...")       # error object (--json) or "itpump CMD: error: ..." on stderr
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from hil.cli.exit_codes import ExitCode
from hil.results.base import ResultModel, dump_json
from hil.results.error import ErrorKind, ErrorResult


def print_result(result: ResultModel | Mapping[str, object]) -> None:
    sys.stdout.write(dump_json(result) + "\n")
    sys.stdout.flush()


def error_result(command: str | None, kind: ErrorKind, message: str) -> ErrorResult:
    return ErrorResult(error=kind, command=command, message=message)


def report_error(command: str | None, kind: ErrorKind, message: str, as_json: bool) -> ExitCode:
    """Print the error (one JSON object on stdout, or a line on stderr) and return its exit code."""
    error = error_result(command, kind, message)
    if as_json:
        print_result(error)
    else:
        label = "error" if kind is ErrorKind.BAD_INPUT else "ERROR"
        print(f"itpump{' ' + command if command else ''}: {label}: {message}", file=sys.stderr)
    return ExitCode(error.exit_code)


def fail(args: argparse.Namespace, kind: ErrorKind, message: str) -> ExitCode:
    """report_error for a parsed command line (its subcommand and its --json flag)."""
    return report_error(getattr(args, "command", None), kind, message, bool(getattr(args, "json", False)))
