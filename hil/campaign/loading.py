"""Load a campaign file with every scenario and rig it names, checked together before anything runs.

    campaign = load_campaign(Path("bench_configs/campaigns/smoke.yaml"))   # ConfigError: file, key, line

Scenarios and rigs are bundled names or paths (relative paths against the campaign file's folder). Each
scenario x rig pair goes through the runner's own pre-run checks; a fault plan whose device a rig lacks, a fault
that device kind does not have, or a fault time after a scenario's end is refused with the plan's key and line.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from hil.campaign.config import NO_FAULT, CampaignConfig, FaultPlan
from hil.config.errors import ConfigError, ConfigIssue, KeyPath
from hil.config.loading import LoadedYaml, load_model, load_yaml, validate_loaded
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.emulators.fault_catalog import FAULTS_BY_KIND
from hil.paths import bundled


@dataclass(frozen=True)
class Referenced:
    """One scenario or rig a campaign names: where it is, its text and its validated config."""

    entry: str
    path: Path
    text: str
    config: ScenarioConfig | RigConfig


@dataclass(frozen=True)
class LoadedCampaign:
    file: Path
    text: str
    config: CampaignConfig
    scenarios: tuple[Referenced, ...]
    rigs: tuple[Referenced, ...]


def resolve_reference(entry: str, folder: str, campaign_dir: Path) -> Path:
    """A path (relative to the campaign file) when the entry looks like one, else bench_configs/<folder>/<entry>.yaml."""
    path = Path(entry)
    if path.suffix in (".yaml", ".yml") or "/" in entry:
        return path if path.is_absolute() else (campaign_dir / path).resolve()
    return bundled(folder, entry)


def _issue(loaded: LoadedYaml, key_path: KeyPath, message: str) -> ConfigIssue:
    path = tuple(key_path)
    while path and loaded.line_of(path) is None:
        path = path[:-1]
    return ConfigIssue(tuple(key_path), loaded.line_of(path), message)


def _load_references(loaded: LoadedYaml, key: str, entries: list[str], folder: str, model: type,
                     issues: list[ConfigIssue]) -> list[Referenced | None]:
    out: list[Referenced | None] = []
    for index, entry in enumerate(entries):
        path = resolve_reference(entry, folder, loaded.file.resolve().parent)
        if not path.is_file():
            issues.append(_issue(loaded, (key, index), f"{folder[:-1]} {entry!r} not found: {path}"))
            out.append(None)
            continue
        try:
            config = load_model(path, model)
        except ConfigError as exc:
            issues.append(_issue(loaded, (key, index), f"{folder[:-1]} {entry!r} is invalid:\n    {exc}"))
            out.append(None)
            continue
        out.append(Referenced(entry, path, path.read_text(encoding="utf-8"), config))
    return out


def _plan_problems(plan: FaultPlan, rig: Referenced) -> list[tuple[str, str]]:
    config = rig.config
    assert isinstance(config, RigConfig)
    emulator = config.emulators.get(plan.device)
    if emulator is None:
        declared = ", ".join(sorted(config.emulators)) or "none"
        return [("device", f"rig {config.rig_id} ({rig.entry}) has no emulator {plan.device!r} (emulators: "
                           f"{declared}); faults are injected on emulated rigs only")]
    if plan.fault not in FAULTS_BY_KIND[emulator.kind]:
        return [("fault", f"a {emulator.kind} emulator ({plan.device!r} on rig {config.rig_id}) has no fault "
                          f"{plan.fault!r}; known: {', '.join(sorted(FAULTS_BY_KIND[emulator.kind]))}")]
    return []


def _cross_check(loaded: LoadedYaml, config: CampaignConfig, scenarios: list[Referenced | None],
                 rigs: list[Referenced | None], issues: list[ConfigIssue]) -> None:
    from hil.runner.options import RunOptions
    from hil.runner.run import BadInput, prepare

    for index, plan in enumerate(config.faults):
        if plan == NO_FAULT:
            continue
        assert isinstance(plan, FaultPlan)
        for rig in rigs:
            if rig is not None:
                issues += [_issue(loaded, ("faults", index, key), message) for key, message in _plan_problems(plan, rig)]
        for scenario in scenarios:
            if scenario is not None and plan.latest_h > scenario.config.duration_h:  # type: ignore[union-attr]
                issues.append(_issue(loaded, ("faults", index, "at_h"), f"at_h up to {plan.latest_h:g} h is after the "
                                     f"end of scenario {scenario.entry!r} (duration_h {scenario.config.duration_h:g})"))
    options = RunOptions(out_dir=Path("unused"))
    for s_index, scenario in enumerate(scenarios):
        for rig in rigs:
            if scenario is None or rig is None:
                continue
            try:
                prepare(scenario.path, rig.path, options)
            except BadInput as exc:
                issues.append(_issue(loaded, ("scenarios", s_index), f"scenario {scenario.entry!r} cannot run on rig "
                                                                      f"{rig.entry!r}: {exc}"))


def load_campaign(path: Path | str, environ: Mapping[str, str] | None = None) -> LoadedCampaign:
    loaded = load_yaml(path, environ)
    config = validate_loaded(loaded, CampaignConfig)
    issues: list[ConfigIssue] = []
    scenarios = _load_references(loaded, "scenarios", config.scenarios, "scenarios", ScenarioConfig, issues)
    rigs = _load_references(loaded, "rigs", config.rigs, "rigs", RigConfig, issues)
    _cross_check(loaded, config, scenarios, rigs, issues)
    if issues:
        raise ConfigError(loaded.file, issues)
    return LoadedCampaign(loaded.file, loaded.file.read_text(encoding="utf-8"), config,
                          tuple(s for s in scenarios if s is not None), tuple(r for r in rigs if r is not None))
