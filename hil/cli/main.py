"""Entry point of the `itpump` console script.

Each subcommand lives in its own module in this package and exposes
`register(subparsers) -> None`, which adds its parser and sets `func=handler(args) -> int`.
Global options: --version, and -v/--verbose, -q/--quiet (accepted before or after the subcommand),
which configure logging in hil.cli.logging_setup.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from hil.cli.logging_setup import configure_logging
from hil.cli.version import VersionAction

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


def _add_logging_options(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", dest=f"{prefix}verbose", action="count", default=0, help=VERBOSE_HELP)
    group.add_argument("-q", "--quiet", dest=f"{prefix}quiet", action="store_true", help=QUIET_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="itpump",
        description="Intrathecal drug-pump firmware simulator and hardware-in-the-loop harness.",
    )
    parser.add_argument("--version", action=VersionAction)
    _add_logging_options(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"hil.cli.{name}").register(subparsers)
    for subparser in subparsers.choices.values():
        _add_logging_options(subparser, prefix="sub_")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    verbose = args.verbose + args.sub_verbose
    quiet = args.quiet or args.sub_quiet
    if verbose and quiet:
        parser.error("-q/--quiet and -v/--verbose exclude each other")
    configure_logging(verbose, quiet)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
