"""The gate's verdict: approved or rejected, never clipped, with reasons and requirement IDs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable


@dataclass(frozen=True)
class Finding:
    """One limit a request breaks. Soft findings can be overridden explicitly; hard ones cannot."""

    requirement_id: str
    reason: str
    soft: bool = False

    def text(self) -> str:
        return f"{self.reason} [{self.requirement_id}]"


@dataclass(frozen=True)
class Decision:
    request: str
    approved: bool
    reasons: tuple[str, ...] = ()
    requirement_ids: tuple[str, ...] = ()
    overridden: tuple[str, ...] = ()
    """Soft-limit reasons the caller overrode explicitly (the request was approved despite them)."""
    details: dict[str, Any] = field(default_factory=dict)
    """Unit-named values the decision was based on (e.g. window_dose_mcg), for the record."""

    def to_record(self) -> dict[str, Any]:
        return {"request": self.request, "approved": self.approved, "reasons": list(self.reasons),
                "requirement_ids": list(self.requirement_ids), "overridden": list(self.overridden),
                **self.details}


def decide(request: str, findings: Iterable[Finding], override_soft_limits: bool = False,
           details: dict[str, Any] | None = None) -> Decision:
    """Reject on any hard finding, or on a soft one unless override_soft_limits is set."""
    findings = list(findings)
    hard = [f for f in findings if not f.soft]
    soft = [f for f in findings if f.soft]
    blocking = hard + ([] if override_soft_limits else soft)
    ids = tuple(dict.fromkeys(f.requirement_id for f in findings))
    if blocking:
        return Decision(request, False, tuple(f.text() for f in blocking),
                        tuple(dict.fromkeys(f.requirement_id for f in blocking)), (), dict(details or {}))
    return Decision(request, True, (), ids, tuple(f.text() for f in soft), dict(details or {}))
