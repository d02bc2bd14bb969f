"""Line noise: valid frames mutated the way a bad line, a wrong baud or a broken device mutates them (flipped
bytes, truncation, inserted bytes, overlong numbers, non-finite and non-ASCII tokens), and bursts of them.

Every choice goes through a Chooser, so the same strategies run on a seeded random.Random (RandomChooser, used
by `itpump fuzz`) and on hypothesis draws in the test suite (tests/support/mutations.py), which keeps shrinking.
"""
from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")

NUMBER_TOKENS = (b"9" * 5000, b"9" * 400, b"1e999", b"-1e999", b"nan", b"NaN", b"inf", b"-inf", b"Infinity", b"",
                 b"-", b".", b"..", b"1.2.3", b"\xd9\xa3")
"""What a number field can turn into: overlong, huge exponents, non-finite spellings, empty, malformed, non-ASCII."""
NASTY_TOKENS = NUMBER_TOKENS + (b"\xff\xfe", b"\xc3\xa9", b"\x00", b"\r", b"\n", b"\r\n", b"\x02", b"\x03", b"*", b"?",
                                b":", b",", b"|", b" ", b"\x85", b"\x18")
"""Number tokens plus non-ASCII, separators and framing bytes."""
MUTATIONS = ("flip", "truncate", "insert", "token", "delete", "replace_number", "replace_number", "replace_number")
"""Numbers are where parsers break most: replacing one is drawn three times as often as each other mutation."""
MAX_N_MUTATIONS = 3
MAX_RANDOM_BYTES = 64
OVERLONG_LINE_BYTES = (200, 2000)
"""An overlong line: a valid frame's body repeated past every receive buffer (GRBL 128, NE-1000 basic 256)."""
_NUMBER_RUN = re.compile(rb"[0-9.]+")


class Chooser(Protocol):
    """The source of every choice a mutation makes."""

    def integer(self, low: int, high: int) -> int:
        """An integer low..high, both included."""
        ...

    def choice(self, options: Sequence[T]) -> T: ...

    def binary(self, max_size_bytes: int) -> bytes:
        """0..max_size_bytes random bytes."""
        ...


class RandomChooser:
    """A Chooser on random.Random: the same seed gives the same choices."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def binary(self, max_size_bytes: int) -> bytes:
        return self.rng.randbytes(self.rng.randint(0, max_size_bytes))


def mutate(frame: bytes, pick: Chooser, max_n_mutations: int = MAX_N_MUTATIONS) -> bytes:
    """`frame` with 0..max_n_mutations mutations."""
    data = bytearray(frame)
    for _ in range(pick.integer(0, max_n_mutations)):
        kind = pick.choice(MUTATIONS)
        at = pick.integer(0, len(data))
        if kind == "flip" and data:
            data[min(at, len(data) - 1)] ^= pick.integer(1, 255)
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = pick.binary(8)
        elif kind == "token":
            data[at:at] = pick.choice(NASTY_TOKENS)
        elif kind == "delete":
            del data[at:at + pick.integer(1, 4)]
        elif kind == "replace_number":  # one run of digits becomes a nasty token (an overlong number, nan, ...)
            runs = [match.span() for match in _NUMBER_RUN.finditer(data)]
            if runs:
                start, end = pick.choice(runs)
                data[start:end] = pick.choice(NUMBER_TOKENS)
    return bytes(data)


def overlong(frame: bytes, pick: Chooser) -> bytes:
    """The frame's body repeated to an overlong line, ending as the frame ends."""
    body, end = (frame[:-1], frame[-1:]) if frame[-1:] in (b"\r", b"\n") else (frame, b"")
    size = pick.integer(*OVERLONG_LINE_BYTES)
    return ((body or b"9") * (size // max(len(body), 1) + 1))[:size] + end


def line_noise(frames: Sequence[bytes], pick: Chooser) -> bytes:
    """A mutated frame, a valid one, an overlong one, or plain random bytes."""
    kind = pick.integer(0, 5)
    if kind <= 2:
        return mutate(pick.choice(frames), pick)
    if kind == 3:
        return pick.choice(frames)
    if kind == 4:
        return overlong(pick.choice(frames), pick)
    return pick.binary(MAX_RANDOM_BYTES)


def burst(frames: Sequence[bytes], pick: Chooser, max_frames: int = 8) -> list[bytes]:
    """1..max_frames chunks of line noise (each chunk handed over in one read)."""
    return [line_noise(frames, pick) for _ in range(pick.integer(1, max_frames))]
