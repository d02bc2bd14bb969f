"""The hazard registry and the hazard scenarios name each other: every hazard has a scenario, every hazard
scenario's HAZ ID exists, and both cite only registered requirements."""
from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.hazards import HAZARDS, hazard
from firmware_sim.requirements import REQUIREMENTS
from hil.cli.catalog import ScenarioKind, list_scenarios
from hil.config.loading import ConfigError, load_model
from hil.config.scenario import ScenarioConfig
from hil.paths import bundled

REPO = Path(__file__).resolve().parents[2]
BENCH_CONFIGS = REPO / "bench_configs"
HAZARD_SCENARIOS = BENCH_CONFIGS / "scenarios" / "hazards"

ALL_SCENARIOS = sorted((BENCH_CONFIGS / "scenarios").rglob("*.yaml"))
FOLDER_SCENARIOS = sorted(HAZARD_SCENARIOS.glob("*.yaml"))


def _load(path: Path) -> ScenarioConfig:
    return load_model(path, ScenarioConfig)


def test_every_hazard_has_a_scenario_that_names_it():
    for hazard_id, entry in HAZARDS.items():
        assert entry.scenarios, f"{hazard_id} has no scenario"
        for name in entry.scenarios:
            path = bundled("scenarios", name)
            assert path.is_file(), f"{hazard_id}: scenario {name} not found ({path})"
            scenario = _load(path)
            assert scenario.name == name
            assert scenario.hazard_id == hazard_id, f"{name} names {scenario.hazard_id}, registered under {hazard_id}"


def test_every_hazard_scenario_names_a_registered_hazard_that_lists_it():
    named = 0
    for path in ALL_SCENARIOS:
        scenario = _load(path)
        if scenario.hazard_id is None:
            continue
        named += 1
        assert scenario.name in hazard(scenario.hazard_id).scenarios, f"{path} is not listed under {scenario.hazard_id}"
    assert named >= len(FOLDER_SCENARIOS)


def test_the_hazards_folder_holds_at_least_25_complete_hazard_scenarios():
    assert len(FOLDER_SCENARIOS) >= 25
    for path in FOLDER_SCENARIOS:
        scenario = _load(path)
        assert path.stem == scenario.name and scenario.name.startswith("hazard-")
        assert scenario.hazard_id and scenario.cause and scenario.expected_safe_outcome, path
        assert scenario.requirement_ids and scenario.duration_h <= 48, path
        assert set(scenario.all_requirement_ids()) <= set(REQUIREMENTS), path


def test_hazards_cite_registered_requirements_and_have_cause_and_harm():
    for hazard_id, entry in HAZARDS.items():
        assert entry.hazard_id == hazard_id and entry.cause and entry.harm and entry.title
        assert entry.requirement_ids and set(entry.requirement_ids) <= set(REQUIREMENTS), hazard_id
    with pytest.raises(KeyError, match="HAZ-NOPE-001"):
        hazard("HAZ-NOPE-001")


def test_an_unknown_or_malformed_hazard_id_is_refused_at_load(tmp_path: Path):
    text = (HAZARD_SCENARIOS / "hazard-ten-x-rate.yaml").read_text()
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(text.replace("hazard_id: HAZ-PRG-001", "hazard_id: HAZ-PRG-999"))
    with pytest.raises(ConfigError, match="unknown hazard 'HAZ-PRG-999'"):
        _load(unknown)
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text(text.replace("hazard_id: HAZ-PRG-001", "hazard_id: PRG-1"))
    with pytest.raises(ConfigError, match="hazard_id"):
        _load(malformed)


def test_hazard_scenarios_are_found_by_name_and_by_folder_and_listed():
    name = "hazard-ten-x-rate"
    assert bundled("scenarios", f"hazards/{name}") == HAZARD_SCENARIOS / f"{name}.yaml"
    assert bundled("scenarios", name) == HAZARD_SCENARIOS / f"{name}.yaml"
    assert bundled("scenarios", "ptm-use") == BENCH_CONFIGS / "scenarios" / "ptm-use.yaml"
    assert bundled("scenarios", "hazards/no-such") == Path("hazards/no-such")
    listing = list_scenarios(BENCH_CONFIGS)
    assert listing.problems == ()
    kinds = {entry.name: entry.kind for entry in listing.entries}
    assert {p.stem for p in FOLDER_SCENARIOS} <= set(kinds)
    assert all(kinds[p.stem] is ScenarioKind.HAZARD for p in FOLDER_SCENARIOS)
