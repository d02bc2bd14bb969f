"""The chain that makes any change to record.jsonl visible: each line ends with `"chain":"<16 hex>"`, the first
16 hex digits of sha256(previous line's chain + this line without its chain). An altered, dropped, repeated or
moved line breaks the chain at that line; a record cut short loses its last line or its run_finished.

    line = chained_line(body, previous_chain)     # body: the event as compact JSON, without chain
    body, chain = split_chained_line(line)        # None if the line does not end with a chain
"""
from __future__ import annotations

import hashlib
import re

CHAIN_FIELD = "chain"
GENESIS = ""
"""The 'previous chain' of a record's first line."""
_CHAINED = re.compile(r'^(\{.*),"chain":"([0-9a-f]{16})"\}$', re.DOTALL)


def chain_of(previous_chain: str, body: str) -> str:
    return hashlib.sha256((previous_chain + body).encode("utf-8")).hexdigest()[:16]


def chained_line(body: str, previous_chain: str) -> tuple[str, str]:
    """(the line to write without its newline, its chain). body is a JSON object with at least one field."""
    chain = chain_of(previous_chain, body)
    return f'{body[:-1]},"{CHAIN_FIELD}":"{chain}"}}', chain


def split_chained_line(line: str) -> tuple[str, str] | None:
    """(body, chain) of a chained line; None if the line does not end with a chain field."""
    match = _CHAINED.match(line)
    if match is None:
        return None
    return match.group(1) + "}", match.group(2)
