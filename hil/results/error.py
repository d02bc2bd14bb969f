"""The one error object every command prints under --json when it cannot give its result.

    {"error": "bad_input", "command": "predict", "message": "...", "exit_code": 2}

bad_input (exit 2): bad arguments, a missing or invalid file, an option the rig refuses; nothing was run.
error (exit 3): the command could not complete (an interrupt before the run, an internal failure).
"""
from __future__ import annotations

from enum import Enum

from pydantic import computed_field

from hil.cli.exit_codes import ExitCode
from hil.results.base import ResultModel


class ErrorKind(str, Enum):
    BAD_INPUT = "bad_input"
    ERROR = "error"


class ErrorResult(ResultModel):
    """The error object of every command under --json: bad_input exits 2, error exits 3."""
    error: ErrorKind
    command: str | None
    """The subcommand (None when the command line did not get that far)."""
    message: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def exit_code(self) -> int:
        return int(ExitCode.BAD_INPUT if self.error is ErrorKind.BAD_INPUT else ExitCode.ERROR)
