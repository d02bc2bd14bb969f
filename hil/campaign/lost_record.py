"""What a run whose record was lost still shows in every campaign output: nothing of the record as measured.

A lost record (none came back, it differs from the one judged, is damaged, or changed after its run finished) is
ERROR; its envelopes are not shown (MISSING in the envelope tallies), its fault neither shown injected nor detected
(unknown: among the undetected faults with harmless unknown), no dose and no patients (all counted as not passing).
Its unsafe findings are kept: losing a record never makes a run look safer.
"""
from __future__ import annotations

from typing import Any

NOT_MEASURED: dict[str, Any] = {"outcome": "ERROR", "envelopes": [], "fault": None, "dose": None, "patients": None,
                                "alarms": []}


def unmeasured(line: dict[str, Any], reason: str | None) -> dict[str, Any]:
    """The finished line of a run whose record is lost (reason: why), as the outputs show it."""
    return {**line, **NOT_MEASURED, "record_lost": True, "lost_reason": reason}
