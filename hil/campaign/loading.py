"""Load a campaign file with every scenario and rig it names, checked together before anything runs.

    campaign = load_campaign(Path("bench_configs/campaigns/smoke.yaml"))   # ConfigError: file, key, line

Scenarios and rigs are bundled names or paths (relative paths against the campaign file's folder). Each
scenario x rig pair goes through the runner's own pre-run checks; a fault plan whose device a rig lacks, a fault
that device kind does not have, or a fault time after a scenario's end is refused with the plan's key and line.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from collections.abc import Mapping

from hil.campaign.config import NO_FAULT, CampaignConfig, CampaignGroup, FaultPlan, RunMatrix
from hil.config.errors import ConfigError, ConfigIssue, KeyPath
from hil.config.loading import LoadedYaml, load_model, load_yaml, validate_loaded
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.rig.fault_params import TrialEmulators, fault_problem
from hil.paths import bundled

C = TypeVar("C", ScenarioConfig, RigConfig)


@dataclass(frozen=True)
class Referenced(Generic[C]):
    """One scenario or rig a campaign names: where it is, its text and its validated config."""

    entry: str
    path: Path
    text: str
    config: C


@dataclass(frozen=True)
class LoadedGroup:
    """One cross product of the campaign (the campaign itself when it has no groups:, then name is None)."""

    name: str | None
    hazard_id: str | None
    matrix: RunMatrix
    scenarios: tuple[Referenced[ScenarioConfig], ...]
    rigs: tuple[Referenced[RigConfig], ...]


@dataclass(frozen=True)
class LoadedCampaign:
    file: Path
    text: str
    config: CampaignConfig
    groups: tuple[LoadedGroup, ...]


def resolve_reference(entry: str, folder: str, campaign_dir: Path) -> Path:
    """A path (relative to the campaign file) when the entry looks like one, else
    bench_configs/<folder>/<entry>.yaml."""
    path = Path(entry)
    if path.suffix in (".yaml", ".yml") or "/" in entry:
        return path if path.is_absolute() else (campaign_dir / path).resolve()
    return bundled(folder, entry)


def _issue(loaded: LoadedYaml, key_path: KeyPath, message: str) -> ConfigIssue:
    path = tuple(key_path)
    while path and loaded.line_of(path) is None:
        path = path[:-1]
    return ConfigIssue(tuple(key_path), loaded.line_of(path), message)


_Loaded = dict[tuple[Path, type[ScenarioConfig] | type[RigConfig]], Referenced[Any] | str]
"""Each file a campaign names, loaded once per model it is named as (a file named as a scenario and as a rig is
validated as each): the loaded file, or why it cannot be."""


def _load_references(loaded: LoadedYaml, key: KeyPath, entries: list[str], folder: str, model: type[C],
                     issues: list[ConfigIssue], cache: _Loaded) -> list[Referenced[C] | None]:
    out: list[Referenced[C] | None] = []
    for index, entry in enumerate(entries):
        path = resolve_reference(entry, folder, loaded.file.resolve().parent)
        if (path, model) not in cache:
            cache[(path, model)] = _reference(entry, path, folder, model)
        found = cache[(path, model)]
        if isinstance(found, str):
            issues.append(_issue(loaded, (*key, index), found))
            out.append(None)
        else:
            out.append(Referenced(entry, found.path, found.text, found.config))
    return out


def _reference(entry: str, path: Path, folder: str, model: type[C]) -> Referenced[C] | str:
    """The referenced file loaded, or why it cannot be."""
    if not path.is_file():
        return f"{folder[:-1]} {entry!r} not found: {path}"
    try:
        config = load_model(path, model)
    except ConfigError as exc:
        return f"{folder[:-1]} {entry!r} is invalid:\n    {exc}"
    return Referenced(entry, path, path.read_text(encoding="utf-8"), config)


def _plan_problems(plan: FaultPlan, rig: Referenced[RigConfig], trials: TrialEmulators) -> list[tuple[str, str]]:
    problem = fault_problem(plan.device, plan.fault, plan.params, trials, f"{rig.config.rig_id} ({rig.entry})")
    return [] if problem is None else [problem]


def _cross_check(loaded: LoadedYaml, prefix: KeyPath, config: RunMatrix,
                 scenarios: list[Referenced[ScenarioConfig] | None], rigs: list[Referenced[RigConfig] | None],
                 issues: list[ConfigIssue], prepared: dict[tuple[Path, Path], str]) -> None:
    from hil.runner.options import RunOptions
    from hil.runner.run import BadInput, prepare

    trials = {rig.path: TrialEmulators(rig.config) for rig in rigs if rig is not None}
    for index, plan in enumerate(config.faults):
        if plan == NO_FAULT:
            continue
        assert isinstance(plan, FaultPlan)
        for rig in rigs:
            if rig is not None:
                issues += [
                    _issue(loaded, (*prefix, "faults", index, key), message)
                    for key, message in _plan_problems(plan, rig, trials[rig.path])
                ]
        for scenario in scenarios:
            if scenario is not None and plan.latest_h > scenario.config.duration_h:
                issues.append(_issue(loaded, (*prefix, "faults", index, "at_h"),
                                     f"at_h up to {plan.latest_h:g} h is after the "
                                     f"end of scenario {scenario.entry!r} (duration_h {scenario.config.duration_h:g})"))
    options = RunOptions(out_dir=Path("unused"))
    for s_index, scenario in enumerate(scenarios):
        for rig in rigs:
            if scenario is None or rig is None:
                continue
            if (scenario.path, rig.path) not in prepared:
                try:
                    prepare(scenario.path, rig.path, options)
                    prepared[(scenario.path, rig.path)] = ""
                except BadInput as exc:
                    prepared[(scenario.path, rig.path)] = str(exc)
            if prepared[(scenario.path, rig.path)]:
                issues.append(_issue(loaded, (*prefix, "scenarios", s_index), f"scenario {scenario.entry!r} cannot run "
                                     f"on rig {rig.entry!r}: {prepared[(scenario.path, rig.path)]}"))


def load_campaign(path: Path | str, environ: Mapping[str, str] | None = None) -> LoadedCampaign:
    loaded = load_yaml(path, environ)
    config = validate_loaded(loaded, CampaignConfig)
    issues: list[ConfigIssue] = []
    cache: _Loaded = {}
    prepared: dict[tuple[Path, Path], str] = {}
    groups = []
    for prefix, matrix in config.matrices():
        scenarios = _load_references(loaded, (*prefix, "scenarios"), matrix.scenarios, "scenarios", ScenarioConfig,
                                     issues, cache)
        rigs = _load_references(loaded, (*prefix, "rigs"), matrix.rigs, "rigs", RigConfig, issues, cache)
        _cross_check(loaded, prefix, matrix, scenarios, rigs, issues, prepared)
        named = matrix if isinstance(matrix, CampaignGroup) else None
        groups.append(LoadedGroup(named.name if named else None, named.hazard_id if named else None, matrix,
                                  tuple(s for s in scenarios if s is not None),
                                  tuple(r for r in rigs if r is not None)))
    if issues:
        raise ConfigError(loaded.file, issues)
    return LoadedCampaign(loaded.file, loaded.file.read_text(encoding="utf-8"), config, tuple(groups))
