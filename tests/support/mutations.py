"""Hypothesis strategies for line noise: valid frames mutated the way a bad line, a wrong baud or a broken device
mutates them (flipped bytes, truncation, inserted bytes, overlong numbers, non-finite and non-ASCII tokens), and
bursts of them. Shared by the emulator and driver-parser fuzz tests (tests/conftest.py puts this folder on the
import path)."""
from __future__ import annotations

import re

from hypothesis import strategies as st

NUMBER_TOKENS = (b"9" * 5000, b"9" * 400, b"1e999", b"-1e999", b"nan", b"NaN", b"inf", b"-inf", b"Infinity", b"",
                 b"-", b".", b"..", b"1.2.3", b"\xd9\xa3")
"""What a number field can turn into: overlong, huge exponents, non-finite spellings, empty, malformed, non-ASCII."""
NASTY_TOKENS = NUMBER_TOKENS + (b"\xff\xfe", b"\xc3\xa9", b"\x00", b"\r", b"\n", b"\r\n", b"\x02", b"\x03", b"*", b"?",
                                b":", b",", b"|", b" ", b"\x85", b"\x18")
"""Number tokens plus non-ASCII, separators and framing bytes."""
MUTATIONS = ("flip", "truncate", "insert", "token", "delete", "replace_number", "replace_number", "replace_number")
"""Numbers are where parsers break most: replacing one is drawn three times as often as each other mutation."""
_NUMBER_RUN = re.compile(rb"[0-9.]+")


@st.composite
def mutated(draw: st.DrawFn, frames: tuple[bytes, ...], max_mutations: int = 3) -> bytes:
    """One of `frames` with up to max_mutations mutations."""
    frame = bytearray(draw(st.sampled_from(frames)))
    for _ in range(draw(st.integers(0, max_mutations))):
        kind = draw(st.sampled_from(MUTATIONS))
        at = draw(st.integers(0, len(frame)))
        if kind == "flip" and frame:
            frame[min(at, len(frame) - 1)] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del frame[at:]
        elif kind == "insert":
            frame[at:at] = draw(st.binary(max_size=8))
        elif kind == "token":
            frame[at:at] = draw(st.sampled_from(NASTY_TOKENS))
        elif kind == "delete":
            del frame[at:at + draw(st.integers(1, 4))]
        elif kind == "replace_number":  # one run of digits becomes a nasty token (an overlong number, nan, ...)
            runs = [match.span() for match in _NUMBER_RUN.finditer(frame)]
            if runs:
                start, end = draw(st.sampled_from(runs))
                frame[start:end] = draw(st.sampled_from(NUMBER_TOKENS))
    return bytes(frame)


def line_noise(frames: tuple[bytes, ...]) -> st.SearchStrategy[bytes]:
    """A mutated frame, a valid one, or plain random bytes."""
    return st.one_of(mutated(frames), st.sampled_from(frames), st.binary(max_size=64))


def bursts(frames: tuple[bytes, ...], max_frames: int = 8) -> st.SearchStrategy[list[bytes]]:
    """A burst of line noise, one chunk per element (each chunk is handed over in one read)."""
    return st.lists(line_noise(frames), min_size=1, max_size=max_frames)


def mutated_text(lines: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Reply lines (str) mutated as above; bytes above 0x7F come through as latin-1 characters."""
    frames = tuple(line.encode("latin-1") for line in lines)
    return line_noise(frames).map(lambda data: data.decode("latin-1"))
