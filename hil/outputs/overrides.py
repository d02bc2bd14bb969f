"""How a run's drug-limit overrides read at the top of the verdict and the report (from the drug_limits event)."""
from __future__ import annotations

from typing import Any
from collections.abc import Mapping


def override_lines(drug_limits: Mapping[str, Any] | None) -> list[str]:
    """Empty when the run used the drug library unchanged on a patient within the label's population; else a heading
    line and one line per override, and a line for an acknowledged patient outside the label's population."""
    if not drug_limits:
        return []
    patient = drug_limits.get("patient_acknowledge_beyond_label")
    patient_lines = [f"PATIENT OUTSIDE THE LABEL'S POPULATION, acknowledged: {patient}"] if patient else []
    if not drug_limits.get("overrides"):
        return patient_lines
    lines = [f"DRUG LIMITS OVERRIDDEN by the scenario (library {drug_limits['library_file']}):"]
    for item in drug_limits["overrides"]:
        line = f"{item['key']}: library {_value(item['library_value'])} -> run {_value(item['scenario_value'])}"
        if item.get("beyond_label"):
            line += f" BEYOND LABEL ({item['beyond_label']})"
        lines.append(line)
    if drug_limits.get("acknowledge_beyond_label"):
        lines.append(f"acknowledged beyond label: {drug_limits['acknowledge_beyond_label']}")
    return lines + patient_lines


def _value(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)
