"""Entry point of the `itpump` console script.

Each subcommand lives in its own module in this package and exposes
`register(subparsers) -> None`, which adds its parser and sets `func=handler(args) -> int`.
Global options: --version, and -v/--verbose, -q/--quiet (accepted before or after the subcommand),
which configure logging in hil.cli.logging_setup.

Exit codes are hil.cli.exit_codes.ExitCode on every command. With --json on the command line every error,
argument errors included, is one JSON object on stdout (hil.results.error); a reader that closes the pipe
early (`itpump run --json | head -1`) ends the command quietly, without a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import NoReturn
from collections.abc import Sequence

from hil.cli.exit_codes import ExitCode
from hil.cli.json_output import report_error
from hil.cli.logging_setup import configure_logging
from hil.cli.version import VersionAction
from hil.results.error import ErrorKind

SUBCOMMAND_MODULES: tuple[str, ...] = (
    "run",
    "emulate",
    "check",
    "report",
    "trumpet",
    "predict",
    "firmware_diagram",
    "list_cmd",
    "campaign",
    "fuzz",
)

VERBOSE_HELP = "more log output on stderr: -v INFO, -vv DEBUG (including serial traffic)"
QUIET_HELP = "log errors only"
JSON_FLAG = "--json"


class ItpumpParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one JSON object on stdout when --json was given."""
    json_errors = False
    command_name: str | None = None
    """The subcommand an error concerns, where the parser's own prog does not say (the top-level parser)."""

    def error(self, message: str) -> NoReturn:
        if not self.json_errors:
            super().error(message)
        words = self.prog.split()
        command = self.command_name or (words[1] if len(words) > 1 else None)
        report_error(command, ErrorKind.BAD_INPUT, message, as_json=True)
        self.exit(ExitCode.BAD_INPUT)


def _add_logging_options(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", dest=f"{prefix}verbose", action="count", default=0, help=VERBOSE_HELP)
    group.add_argument("-q", "--quiet", dest=f"{prefix}quiet", action="store_true", help=QUIET_HELP)


def build_parser(json_errors: bool = False) -> ItpumpParser:
    parser = ItpumpParser(
        prog="itpump",
        description="Intrathecal drug-pump firmware simulator and hardware-in-the-loop harness.",
    )
    parser.add_argument("--version", action=VersionAction)
    _add_logging_options(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"hil.cli.{name}").register(subparsers)
    parser.json_errors = json_errors
    for subparser in subparsers.choices.values():
        _add_logging_options(subparser, prefix="sub_")
        subparser.json_errors = json_errors
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = JSON_FLAG in argv
    try:
        code = _main(argv, as_json)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
        return code
    except BrokenPipeError:
        return _reader_went_away()


def _main(argv: list[str], as_json: bool) -> int:
    parser = build_parser(json_errors=as_json)
    args = parser.parse_args(argv)
    verbose = args.verbose + args.sub_verbose
    quiet = args.quiet or args.sub_quiet
    if verbose and quiet:
        parser.command_name = args.command
        parser.error("-q/--quiet and -v/--verbose exclude each other")
    configure_logging(verbose, quiet)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        raise
    except Exception as exc:  # never a traceback-and-exit-1 that reads like FAIL: ERROR, with the traceback logged
        logging.getLogger("itpump").exception("itpump %s failed", args.command)
        return report_error(args.command, ErrorKind.ERROR, f"{type(exc).__name__}: {exc}", as_json)


def _reader_went_away() -> int:
    """stdout's reader closed the pipe: send what is left to /dev/null (so the interpreter's final flush cannot
    fail again) and end as ERROR, since the output was not all delivered."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return ExitCode.ERROR


if __name__ == "__main__":
    sys.exit(main())
