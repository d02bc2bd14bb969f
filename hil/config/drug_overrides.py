"""A scenario's `drug.limits_override`: library limits replaced for one scenario, never silently.

    effective = effective_limits(scenario.drug)      # raises OverrideError with located problems
    effective.limits                                 # the DrugLimits the firmware runs with
    effective.record_fields()                        # what the run record, the verdict and the report show

The overridden values have the library's absolute bounds (hil/config/bounds.py); one beyond the label's range
needs `drug.acknowledge_beyond_label: "<reason>"` in the scenario, or the scenario is refused at load.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from collections.abc import Mapping

from pydantic import create_model

from firmware_sim.safety.limits import DrugLimits
from hil.config.common import StrictModel
from hil.config.drug_library import (LIMIT_FIELDS, DrugLibraryEntry, acknowledgement_problem, beyond_label,
                                     load_drug_library)
from hil.config.errors import ConfigError, LocatedProblem

LimitsOverride = create_model(  # type: ignore[call-overload]
    "LimitsOverride", __base__=StrictModel,
    **{name: (annotation | None, None) for name, annotation in LIMIT_FIELDS.items()})
"""Every DrugLimits field a library sets, all optional (unknown keys are errors, with their line)."""


@dataclass(frozen=True)
class LimitOverride:
    key: str
    library_value: object
    scenario_value: object
    beyond_label: str | None
    """Why the value is beyond the label's range (then the scenario acknowledged it), else None."""


@dataclass(frozen=True)
class EffectiveLimits:
    limits: DrugLimits
    library_file: Path
    overrides: tuple[LimitOverride, ...]
    acknowledge_beyond_label: str | None

    def record_fields(self) -> dict[str, Any]:
        return {"drug_name": self.limits.drug_name, "library_file": str(self.library_file),
                "overrides": [_plain(dataclasses.asdict(o)) for o in self.overrides],
                "acknowledge_beyond_label": self.acknowledge_beyond_label}


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(getattr(k, "value", k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class OverrideError(ValueError):
    def __init__(self, problems: list[LocatedProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(map(str, where))}: {why}" for where, why in problems))


class DrugSection(Protocol):
    """What effective_limits reads of a scenario's drug section (hil.config.scenario.Drug)."""

    @property
    def library_file(self) -> Path | None: ...

    @property
    def limits_override(self) -> StrictModel: ...

    @property
    def acknowledge_beyond_label(self) -> str | None: ...

    def library_path(self) -> Path: ...


def override_beyond_label(library_values: Mapping[str, Any], override: Mapping[str, Any],
                          merged_values: Mapping[str, Any]) -> dict[str, str]:
    """Overridden key -> why the overrides put the limits beyond the label's range: every finding of the merged
    limits under an overridden key, and every other one the library alone does not have (for example the library's
    screening_only_conc_mcg_per_ml once allowed_conc_mcg_per_ml adds the screening concentration), filed under the
    overridden key(s) that cause it. A finding the library alone has is the library's, judged when it loaded."""
    library_found = beyond_label(library_values)
    reasons: dict[str, list[str]] = {}
    for name, why in beyond_label(merged_values).items():
        if name in override:
            reasons.setdefault(name, []).append(why)
        elif library_found.get(name) != why:
            causes = [k for k in override if beyond_label({**library_values, k: override[k]}).get(name) == why]
            for key in causes or list(override):  # no single override causes it: together they do
                reasons.setdefault(key, []).append(f"{why} (the library's {name}, with this {key} override)")
    return {key: "; ".join(whys) for key, whys in reasons.items()}


def effective_limits(drug: DrugSection) -> EffectiveLimits:
    """The library limits with `drug.limits_override` applied and checked (drug: the scenario's Drug section)."""
    where_library = ("drug", "library_file" if drug.library_file else "name")
    try:
        library = load_drug_library(drug.library_path())
    except ConfigError as exc:
        issues = "".join(f"\n    {exc.file}:{i.line or '-'}: {i.dotted_key or '(top level)'}: {i.message}"
                         for i in exc.issues)
        raise OverrideError([(where_library, f"drug library {exc.file} is invalid:{issues}")]) from None
    override = drug.limits_override.model_dump(exclude_none=True)
    values = {**library.limit_values(), **override}
    try:
        merged = DrugLibraryEntry.model_validate({"drug_name": library.drug_name, **values})
    except ValueError as exc:
        raise OverrideError([(("drug", "limits_override"), f"the library limits with these overrides are "
                                                           f"inconsistent: {exc}")]) from None
    beyond = override_beyond_label(library.limit_values(), override, merged.limit_values())
    problems: list[LocatedProblem] = []
    if beyond and drug.acknowledge_beyond_label is None:
        problems += [(("drug", "limits_override", k), acknowledgement_problem("drug.", {k: why}))
                     for k, why in beyond.items()]
    if not beyond and drug.acknowledge_beyond_label is not None:
        problems.append((("drug", "acknowledge_beyond_label"), "no limits_override is beyond the label's range; "
                                                                "remove the acknowledgement"))
    if problems:
        raise OverrideError(problems)
    library_values = library.limit_values()
    overrides = tuple(LimitOverride(k, _plain(library_values[k]), _plain(getattr(merged, k)), beyond.get(k))
                      for k in override)
    return EffectiveLimits(merged.to_limits(), drug.library_path(), overrides, drug.acknowledge_beyond_label)
