"""`itpump fuzz --json`: frames, cases and speed per device, and every failure with its reproducer."""
from __future__ import annotations

from typing import Literal

from hil.results.base import OutcomeResult, ResultModel

CaseKind = Literal["core", "parsers", "driver"]


class FuzzFailure(ResultModel):
    device: str
    seed: int
    frame_index: int
    """Index of the failing case's first frame: `replay` runs that case alone."""
    kind: CaseKind
    problem: str
    frames_hex: tuple[str, ...]
    """Every byte string the case handed over, in order, as hex."""
    replay: str


class FuzzDevice(OutcomeResult):
    """One device: PASS when none of its cases failed."""
    device: str
    frames: int
    cases: int
    cases_by_kind: dict[str, int]
    elapsed_s: float
    frames_per_s: float
    failures: tuple[FuzzFailure, ...]


class FuzzResult(OutcomeResult):
    """`itpump fuzz --json`: PASS when no device had a failure."""
    seed: int
    frames_per_device: int
    devices: tuple[FuzzDevice, ...]
