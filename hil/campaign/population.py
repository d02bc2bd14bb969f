"""Virtual patients for one run: the run's delivered profile judged over a sampled population."""
from __future__ import annotations

from typing import Any


def population_for_run(record: Any, spec: dict[str, Any], dead_volume_ul: float, scenario: Any) -> dict[str, Any] | None:
    if spec.get("patients") is None:
        return None
    raise NotImplementedError("patients: needs firmware_sim.pk.population_verdict")
