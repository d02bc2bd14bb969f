"""The one place the command line configures Python logging: `-v/--verbose` and `-q/--quiet`.

    WARNING by default, INFO with -v, DEBUG with -vv (serial traffic: logger "drivers.transport"),
    ERROR with -q.

Records go to stderr, so stdout stays machine-readable (`--json`). Repeated configuration (main() called twice
in one process, as tests do) replaces the handler instead of adding another one.
"""
from __future__ import annotations

import logging
import sys
from typing import TextIO

HANDLER_NAME = "itpump-cli"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Libraries whose DEBUG output is internal noise (font caches, image plugins), held at INFO at most.
QUIET_LIBRARIES: tuple[str, ...] = ("matplotlib", "PIL")


def level_for(verbose: int, quiet: bool) -> int:
    """-q -> ERROR, nothing -> WARNING, -v -> INFO, -vv (or more) -> DEBUG."""
    if quiet:
        return logging.ERROR
    if verbose >= 2:
        return logging.DEBUG
    if verbose == 1:
        return logging.INFO
    return logging.WARNING


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is at the time of the record (pytest swaps it between tests)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:  # a read-only view of sys.stderr, not an attribute
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(verbose: int = 0, quiet: bool = False) -> int:
    """Set the root logger's level and its one stderr handler; returns the level."""
    level = level_for(verbose, quiet)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    return level
