"""Shared by the scripted HarvardPump tests (tests/drivers/test_harvard*.py): the driver factory and the pump's
replies as the protocol frames them (`LF NN text CR` lines, then the prompt `LF NN<prompt>`)."""
from __future__ import annotations

import functools

from drivers.harvard import HarvardPump

VERSION = b"\n00 11 ELITE I/W Single 3.0.4\r\n00:"


def pump(**options):  # noqa: ANN201 - a factory for drivers.scripted.expected_exchange
    return functools.partial(HarvardPump, max_rate_ul_per_h=5000.0, **options)


def reply(*lines: str, prompt: str = ":", address: int = 0) -> bytes:
    return "".join(f"\n{address:02d} {line}\r" for line in lines).encode() + f"\n{address:02d}{prompt}".encode()
