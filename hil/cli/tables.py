"""Terminal tables that never truncate: cells wrap (and fold words longer than their column) instead of
ending in an ellipsis, and output redirected to a file or a pipe gets a fixed width, not the terminal's.

    console = make_console()
    table = wrapping_table("scenarios", ("scenario", "kind", "description"))
    print_table(console, table)
"""
from __future__ import annotations

import os
from typing import IO
from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Column, Table

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
    table = _NameKeepingTable(title=title, caption=caption, name_width_chars=first_column_width_chars)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=False)
    return table


class _NameKeepingTable(Table):
    """Keeps the name column at its width only where every other column still has room for its longest word: a
    name column held at its width while rich narrowed the table made the table wider than the console, and every
    line was cropped (requirement IDs cut mid-word in `itpump list scenarios > file`)."""

    def __init__(self, *, title: str | None, caption: str | None, name_width_chars: int) -> None:
        super().__init__(title=title, caption=caption)
        self._name_width_chars = name_width_chars

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.columns and self._name_width_chars:
            others_chars = sum(_longest_word_chars(column) + 2 for column in self.columns[1:])  # 1 padding each side
            room_chars = options.max_width - others_chars - 2 - (len(self.columns) + 1)  # and the borders
            # a set width: rich narrows the widest columns first, and a name column held at a min_width it had
            # narrowed came back wider than its share
            self.columns[0].width = self._name_width_chars if room_chars >= self._name_width_chars else None
        yield from super().__rich_console__(console, options)


def _longest_word_chars(column: Column) -> int:
    words = [word for cell in (column.header, *column.cells) for word in str(cell).split()]
    return max((len(word) for word in words), default=0)


def print_table(console: Console, table: Table) -> None:
    """Print without cropping: should a table still come out wider than the console, its lines are longer, never
    cut."""
    console.print(table, crop=False)
