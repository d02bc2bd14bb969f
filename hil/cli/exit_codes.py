"""The exit codes of every itpump command, with and without --json.

    0 PASS       everything judged passed
    1 FAIL       something judged failed, or could not be judged (NOT_EVALUATED is never a pass)
    2 BAD_INPUT  bad arguments or files: nothing was run (the message names the argument, file, key and line)
    3 ERROR      the command could not complete: an ERROR run (crash, rig failure, Ctrl-C, a failing output),
                 a damaged record, output that could not be written
"""
from __future__ import annotations

from enum import IntEnum

from firmware_sim.outcome import Outcome


class ExitCode(IntEnum):
    PASS = 0
    FAIL = 1
    BAD_INPUT = 2
    ERROR = 3

    @classmethod
    def for_outcome(cls, outcome: Outcome | str) -> ExitCode:
        return _BY_OUTCOME[Outcome(outcome)]


_BY_OUTCOME = {Outcome.PASS: ExitCode.PASS, Outcome.FAIL: ExitCode.FAIL, Outcome.NOT_EVALUATED: ExitCode.FAIL,
               Outcome.ERROR: ExitCode.ERROR}
