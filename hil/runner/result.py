"""The outcome of one run, as the CLI and the pytest plugin report it."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_CODES = {"PASS": 0, "FAIL": 1, "ERROR": 2}


@dataclass
class RunResult:
    outcome: str
    reason: str
    report_dir: Path | None
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    expectations: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    delivered: dict[str, Any] = field(default_factory=dict)
    pk_peaks: dict[str, Any] = field(default_factory=dict)
    time_compression_factor: float = 1.0
    output_failures: dict[str, str] = field(default_factory=dict)
    drug_limits: dict[str, Any] | None = None
    """The drug_limits record event: library file and every scenario override of its limits."""
    outputs_missing: dict[str, str] = field(default_factory=dict)
    """Outputs not written because the operator interrupted the rendering: {name: why}."""

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.outcome, 2)

    @property
    def report_html(self) -> Path | None:
        return self.report_dir / "report.html" if self.report_dir is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "reason": self.reason,
                "report_dir": str(self.report_dir) if self.report_dir is not None else None,
                "envelopes": self.envelopes, "expectations": self.expectations, "alarms": self.alarms,
                "steps": self.steps, "delivered": self.delivered, "pk_peaks": self.pk_peaks,
                "time_compression_factor": self.time_compression_factor,
                "output_failures": self.output_failures, "outputs_missing": self.outputs_missing,
                "drug_limits": self.drug_limits}
