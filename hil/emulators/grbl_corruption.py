"""The `corrupt_move` fault: a G-code move changed on the wire into other *valid* G-code, which GRBL accepts with `ok`.

Each kind is a change of one or two characters, as a bit error or a bad cable would make it:
- `units`: G21 -> G20, every number read in inches (25.4x the travel and the feed);
- `distance`: G91 -> G90, the axis word becomes an absolute target;
- `motion`: G1 -> G0, a rapid at the axis maximum ($110) instead of the feed;
- `feed_scale`: the F number multiplied by `factor` (default 10), a changed digit.
The next `count` (default 1) move lines are corrupted. Pure text in, text out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hil.emulators.faults import EmulatorError, non_negative_float, positive_count, reject_unknown_params

KINDS = ("units", "distance", "motion", "feed_scale")
_WORD = re.compile(r"([A-Z])([-+]?(?:\d+\.?\d*|\.\d+))", re.ASCII)
_SWAPS = {"units": ("G", 21.0, "20"), "distance": ("G", 91.0, "90"), "motion": ("G", 1.0, "0")}


@dataclass(frozen=True)
class MoveCorruption:
    kind: str
    factor: float = 10.0


def parse_corruption(params: dict) -> tuple[MoveCorruption, int]:
    """The corruption and how many moves it hits, from the fault's parameters; EmulatorError naming a bad one."""
    reject_unknown_params("corrupt_move", params, {"kind", "factor", "count"})
    kind = params.get("kind")
    if kind not in KINDS:
        raise EmulatorError(f"fault 'corrupt_move': kind must be one of {list(KINDS)}, got {kind!r}")
    if "factor" in params and kind != "feed_scale":
        raise EmulatorError("fault 'corrupt_move': factor applies to kind feed_scale only")
    factor = non_negative_float("corrupt_move", "factor", params.get("factor", 10.0))
    if factor <= 0 or factor == 1:
        raise EmulatorError(f"fault 'corrupt_move': factor must be > 0 and not 1, got {factor!r}")
    return MoveCorruption(kind, factor), positive_count("corrupt_move", params.get("count", 1))


def is_move(line: str) -> bool:
    """A cleaned G-code line (no `$`) with an axis word."""
    return not line.startswith("$") and any(letter in "XYZ" for letter, _ in _WORD.findall(line))


def corrupt(line: str, corruption: MoveCorruption) -> str:
    """The cleaned line as the corruption turns it (the word changed where the line has it, else set in front)."""
    words = _WORD.findall(line)
    if corruption.kind == "feed_scale":
        return "".join(f"{letter}{float(value) * corruption.factor:.8g}" if letter == "F" else letter + value
                       for letter, value in words)
    letter, number, replacement = _SWAPS[corruption.kind]
    hits = [i for i, (lt, value) in enumerate(words) if lt == letter and float(value) == number]
    if not hits:
        return f"{letter}{replacement}" + line
    return "".join(lt + (replacement if i in hits else value) for i, (lt, value) in enumerate(words))
