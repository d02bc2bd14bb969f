"""Terminal tables that never truncate: cells wrap (and fold words longer than their column) instead of
ending in an ellipsis, and output redirected to a file or a pipe gets a fixed width, not the terminal's.

    console = make_console()
    table = wrapping_table("scenarios", ("scenario", "kind", "description"))
"""
from __future__ import annotations

import os
from typing import IO
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

NON_TTY_WIDTH_CHARS = 120  # columns when stdout is not a terminal and COLUMNS is unset


def make_console(file: IO[str] | None = None) -> Console:
    """A console for tables: the terminal's width on a tty, else COLUMNS or NON_TTY_WIDTH_CHARS."""
    console = Console(file=file, highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        console.width = NON_TTY_WIDTH_CHARS
    return console


def wrapping_table(title: str | None, columns: Sequence[str], first_column_width_chars: int = 0,
                   caption: str | None = None) -> Table:
    """A table whose cells wrap and fold; the first (name) column keeps `first_column_width_chars` characters where
    the width allows, so names stay on one line."""
    table = Table(title=title, caption=caption)
    for index, column in enumerate(columns):
        table.add_column(column, overflow="fold", no_wrap=False,
                         min_width=first_column_width_chars if index == 0 and first_column_width_chars else None)
    return table
