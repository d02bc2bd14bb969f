"""Status reads of a pump that stopped answering, on a virtual clock: asked less often while it stays silent.

Every unanswered exchange costs the driver's reply timeout of wall time, also when scenario time is virtual: a
pump link that drops every byte made each supervision tick cost about a second, and a 30-day scenario about 12
hours. After MAX_N_SILENT_IN_A_ROW status reads in a row got no answer (DeviceTimeout), the pump is asked again only
after RETRY_FIRST_S of scenario time, doubling with each further silent read up to RETRY_MAX_S (the balance's rule,
hil.adapters.balance); a read in between fails at once with the last failure, saying so, and counts as nothing new.
The firmware has latched its communication-loss alarm at the first failure (SR-ALM-004); nothing is delivered on a
silent link. Commands (stop, rate, start) are always sent, and an answer ends the backing off. On a wall clock every
read is sent: there the timeout is the bench's own time.
"""
from __future__ import annotations

from collections.abc import Callable

from firmware_sim.units import S_PER_H
from hil.adapters.failure_backoff import FailureBackoff

MAX_N_SILENT_IN_A_ROW = 3
RETRY_FIRST_S = 60.0
"""Scenario time before a silent pump is asked again, doubling with each further silent read ..."""
RETRY_MAX_S = 6 * S_PER_H
"""... up to this: a link that comes back is seen within this much scenario time."""


class SilentPumpBackoff:
    def __init__(self, now_s: Callable[[], float]) -> None:
        self._now_s = now_s
        self._backoff = FailureBackoff(MAX_N_SILENT_IN_A_ROW, RETRY_FIRST_S, RETRY_MAX_S)

    def skipped(self) -> str | None:
        """Why this status read is not sent (the pump is backed off), or None: send it."""
        backoff = self._backoff
        if not backoff.waiting(self._now_s()):
            return None
        return (f"not asked: the pump answered none of the last {backoff.failures_in_a_row} status reads (since "
                f"t={backoff.since_s:.0f} s); asked again at t={backoff.retry_at_s:.0f} s")

    def silent(self) -> None:
        """A status read got no answer."""
        self._backoff.failed(self._now_s())

    def answered(self) -> None:
        self._backoff.succeeded()
