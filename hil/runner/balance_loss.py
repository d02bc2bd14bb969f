"""What the balance's failures mean for a run's verdict. A run whose balance was lost (hil.adapters.balance: its port
gone, or the run ending on a run of failed readings) is ERROR: the rig weighs the delivery so that the run is judged
on what left the pump, and the end of this run was not weighed (the delivered profile followed the pump's own count).
The verdict the run would otherwise have had follows the reason. Failures the balance recovered from, and its
restarts, are said in the reason."""
from __future__ import annotations

from hil.adapters.balance import BalanceSampler


def judged_with_balance(sampler: BalanceSampler | None, outcome: str, reason: str) -> tuple[str, str]:
    if sampler is None or sampler.lost is None:
        return outcome, reason
    return "ERROR", (f"the balance was lost {sampler.lost}: the end of the run was not weighed. The verdict "
                     f"otherwise: {outcome}: {reason}")


def balance_notes(sampler: BalanceSampler | None) -> list[str]:
    notes = []
    if sampler is not None and sampler.errors:
        notes.append(f"{sampler.errors} balance reading(s) failed, last {sampler.last_error}")
    if sampler is not None and sampler.power_up_count:
        notes.append(f"the balance restarted {sampler.power_up_count} time(s) during the run: gravimetric volumes "
                     f"carry on across a restart, but what was collected between the readings either side of it was "
                     f"not weighed")
    return notes
