"""The seeded mutation strategies: the same seed gives the same noise, and every kind of noise turns up."""
from __future__ import annotations

import random

from hil.fuzz.corpus import NE1000_COMMANDS
from hil.fuzz.mutations import OVERLONG_LINE_BYTES, RandomChooser, burst, line_noise, mutate, overlong


def chooser(seed: int) -> RandomChooser:
    return RandomChooser(random.Random(seed))


def test_the_same_seed_gives_the_same_noise_and_another_seed_other_noise():
    first = [burst(NE1000_COMMANDS, chooser(seed)) for seed in range(50)]
    again = [burst(NE1000_COMMANDS, chooser(seed)) for seed in range(50)]
    other = [burst(NE1000_COMMANDS, chooser(seed + 1000)) for seed in range(50)]
    assert first == again
    assert first != other


def test_mutations_flip_truncate_insert_and_replace_numbers_with_nasty_tokens():
    frame = b"RAT 10 UH\r"
    outputs = {mutate(frame, chooser(seed)) for seed in range(2000)}
    assert frame in outputs  # zero mutations is a case too
    assert any(len(out) < len(frame) and frame.startswith(out) for out in outputs)  # truncated
    assert any(len(out) == len(frame) and out != frame for out in outputs)  # a flipped byte
    for token in (b"nan", b"1e999", b"9" * 400):
        assert any(b"RAT " + token in out for out in outputs), token


def test_line_noise_gives_valid_mutated_overlong_and_random_frames():
    noise = [line_noise(NE1000_COMMANDS, chooser(seed)) for seed in range(600)]
    assert any(frame in NE1000_COMMANDS for frame in noise)
    assert any(len(frame) >= OVERLONG_LINE_BYTES[0] for frame in noise)
    assert any(frame not in NE1000_COMMANDS and len(frame) < OVERLONG_LINE_BYTES[0] for frame in noise)


def test_an_overlong_line_ends_as_its_frame_ends():
    line = overlong(b"VER\r", chooser(3))
    assert line.endswith(b"\r") and b"\r" not in line[:-1] and len(line) > OVERLONG_LINE_BYTES[0]
    assert line.startswith(b"VERVER")
