"""A device that keeps failing is asked less often: after `free_failures` failures in a row, the next attempt waits
`first_s` of scenario time, doubling with each further failure up to `max_s`; a success ends the waiting. The
balance sampler (hil.adapters.balance) and a silent pump on a virtual clock (hil.adapters.silent_pump) use it: each
failed exchange can cost a reply timeout of wall time even when scenario time is virtual."""
from __future__ import annotations

import math


class FailureBackoff:
    def __init__(self, free_failures: int, first_s: float, max_s: float) -> None:
        self.free_failures, self.first_s, self.max_s = free_failures, first_s, max_s
        self.failures_in_a_row = 0
        self.since_s = math.nan
        """When the current run of failures began (nan: none)."""
        self.retry_at_s = -math.inf
        """No attempt before this scenario time (-inf: attempt now)."""

    def waiting(self, t_s: float) -> bool:
        return t_s < self.retry_at_s

    def failed(self, t_s: float) -> None:
        if self.failures_in_a_row == 0:
            self.since_s = t_s
        self.failures_in_a_row += 1
        beyond = self.failures_in_a_row - self.free_failures
        if beyond >= 0:
            self.retry_at_s = t_s + min(self.first_s * 2.0 ** min(beyond, 30), self.max_s)

    def succeeded(self) -> None:
        self.failures_in_a_row, self.retry_at_s, self.since_s = 0, -math.inf, math.nan

    def retry_now(self) -> None:
        """The next attempt is made whenever it comes."""
        self.retry_at_s = -math.inf
