"""Hypothesis strategies for line noise, on the mutation strategies that ship in hil.fuzz.mutations (which
`itpump fuzz` runs on a seeded random.Random): here every choice is a hypothesis draw, so failures shrink.
Shared by the emulator and driver-parser fuzz tests (tests/conftest.py puts this folder on the import path)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from hypothesis import strategies as st

from hil.fuzz import mutations

T = TypeVar("T")


class DrawChooser:
    """hil.fuzz.mutations.Chooser on hypothesis draws."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def choice(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(options))

    def binary(self, max_size_bytes: int) -> bytes:
        return self.draw(st.binary(max_size=max_size_bytes))


@st.composite
def mutated(draw: st.DrawFn, frames: tuple[bytes, ...], max_n_mutations: int = mutations.MAX_N_MUTATIONS) -> bytes:
    """One of `frames` with up to max_n_mutations mutations."""
    pick = DrawChooser(draw)
    return mutations.mutate(pick.choice(frames), pick, max_n_mutations)


@st.composite
def line_noise(draw: st.DrawFn, frames: tuple[bytes, ...]) -> bytes:
    """A mutated frame, a valid one, an overlong one, or plain random bytes."""
    return mutations.line_noise(frames, DrawChooser(draw))


@st.composite
def bursts(draw: st.DrawFn, frames: tuple[bytes, ...], max_frames: int = 8) -> list[bytes]:
    """A burst of line noise, one chunk per element (each chunk is handed over in one read)."""
    return mutations.burst(frames, DrawChooser(draw), max_frames)


def mutated_text(lines: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Reply lines (str) mutated as above; bytes above 0x7F come through as latin-1 characters."""
    frames = tuple(line.encode("latin-1") for line in lines)
    return line_noise(frames).map(lambda data: data.decode("latin-1"))
