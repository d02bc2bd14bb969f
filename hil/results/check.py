"""`itpump check --json`: one result per file (PASS valid, FAIL not), and their combination."""
from __future__ import annotations

from typing import Literal

from hil.results.base import OutcomeResult


class CheckedFile(OutcomeResult):
    path: str
    kind: Literal["rig", "scenario", "drug"] | None
    """None when the kind could not be told from the folder or the content."""
    message: str
    """What the file is (PASS) or the located errors: file, line, key (FAIL)."""
    warnings: tuple[str, ...] = ()


class CheckResult(OutcomeResult):
    """`itpump check --json`: PASS when every file is valid."""
    files: tuple[CheckedFile, ...]
