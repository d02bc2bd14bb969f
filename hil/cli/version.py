"""`itpump --version`: the installed distribution's version (importlib.metadata), read only when asked."""
from __future__ import annotations

import argparse
from importlib import metadata

DISTRIBUTION = "itpump"
UNKNOWN_VERSION = "unknown (not installed: run `pip install .` or `pip install -e .`)"


def installed_version(distribution: str = DISTRIBUTION) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return UNKNOWN_VERSION


class VersionAction(argparse.Action):
    """Prints 'itpump <version>' on stdout and exits 0, like argparse's own version action, but lazily."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = "print the version and exit") -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        print(f"{parser.prog} {installed_version()}")
        parser.exit()
