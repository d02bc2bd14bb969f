"""Output of the line-based emulators (GRBL, MT-SICS): reply lines kept in a list, sent CR LF terminated."""
from __future__ import annotations


def drain_lines(lines: list[str]) -> bytes:
    """The lines as ASCII, each ended by CR LF; the list is emptied."""
    out = "".join(line + "\r\n" for line in lines).encode("ascii")
    lines.clear()
    return out
