"""Campaign groups: each hazard with its own fault plans. Bad groups are refused naming the file, key and line; the
bundled fault campaigns expand to the runs they promise, and the CI-sized one has the full one's fault plans."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hil.campaign.loading import load_campaign
from hil.campaign.specs import expand
from hil.config.errors import ConfigError
from hil.paths import CHECKOUT_BENCH_CONFIGS

CAMPAIGNS = CHECKOUT_BENCH_CONFIGS / "campaigns"
SHORT = CAMPAIGNS / "scenarios" / "campaign-short-continuous.yaml"
GROUPED = f"""\
name: grouped
groups:
  - name: stall
    hazard_id: HAZ-DEL-003
    scenarios: [{SHORT}]
    rigs: [emulated-ne1000]
    seeds: 2
    faults:
      - {{device: pump, fault: stall, at_h: {{uniform: [1.5, 2.5]}}}}
  - name: reset
    scenarios: [{SHORT}]
    rigs: [emulated-ne1000]
    faults:
      - {{device: pump, fault: stall, at_h: {{uniform: [1.5, 2.5]}}}}
      - {{device: pump, fault: power_reset, at_h: 2.0}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "campaign.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def refused(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_campaign(path)
    return caught.value


def test_groups_expand_to_the_union_of_their_cross_products_with_their_hazard(tmp_path):
    runs = expand(load_campaign(write(tmp_path, GROUPED)))
    assert [(r.spec["group"], r.spec["hazard_id"], r.spec["fault_plan"]) for r in runs] == [
        ("stall", "HAZ-DEL-003", "pump.stall")
    ] * 2 + [("reset", None, "pump.stall"), ("reset", None, "pump.power_reset")]
    assert len({r.run_id for r in runs}) == 4
    # the same scenario, rig, plan and repetition in two groups draw their own fault times
    assert runs[0].spec["seed"] != runs[2].spec["seed"]


def test_an_unknown_key_in_a_group_is_refused_with_its_line(tmp_path):
    error = refused(write(tmp_path, GROUPED.replace("    seeds: 2\n", "    seeds: 2\n    repeat: 3\n")))
    assert [(i.dotted_key, i.line) for i in error.issues] == [("groups[0].repeat", 8)]


def test_an_unknown_hazard_is_refused_with_its_line(tmp_path):
    error = refused(write(tmp_path, GROUPED.replace("HAZ-DEL-003", "HAZ-DEL-999")))
    assert [(i.dotted_key, i.line) for i in error.issues] == [("groups[0].hazard_id", 4)]
    assert "unknown hazard 'HAZ-DEL-999'" in str(error)


@pytest.mark.requirements("SR-HIL-006")
def test_a_fault_the_groups_rig_lacks_is_refused_with_the_groups_key_and_line(tmp_path):
    error = refused(write(tmp_path, GROUPED.replace("fault: power_reset", "fault: unstable")))
    assert [(i.dotted_key, i.line) for i in error.issues] == [("groups[1].faults[1].fault", 15)]
    assert "has no fault 'unstable'" in str(error)


def test_a_missing_scenario_in_a_group_is_refused_with_its_line(tmp_path):
    error = refused(write(tmp_path, GROUPED.replace(f"scenarios: [{SHORT}]\n    rigs: [emulated-ne1000]\n    faults",
                                                    "scenarios: [no-such-scenario]\n    rigs: [emulated-ne1000]\n"
                                                    "    faults")))
    assert [(i.dotted_key, i.line) for i in error.issues] == [("groups[1].scenarios[0]", 11)]


def test_duplicate_group_names_and_top_level_scenarios_beside_groups_are_refused(tmp_path):
    error = refused(write(tmp_path, GROUPED.replace("name: reset", "name: stall")))
    assert "groups has duplicate entries: stall" in str(error)
    error = refused(write(tmp_path, GROUPED.replace("groups:\n", f"scenarios: [{SHORT}]\nseeds: 3\ngroups:\n")))
    assert "scenarios, seeds cannot stand beside groups:" in str(error)
    error = refused(write(tmp_path, "name: empty\nrigs: [emulated-ne1000]\n"))
    assert "scenarios missing: a campaign lists scenarios and rigs, or groups" in str(error)


def _plans(name: str) -> dict[str, tuple]:
    config = load_campaign(CAMPAIGNS / f"{name}.yaml").config
    return {g.name: (g.hazard_id, tuple(g.scenarios), tuple(g.rigs), tuple(g.faults)) for g in config.groups or ()}


def test_the_fault_campaigns_inject_over_a_thousand_faults_and_the_ci_one_has_the_same_plans():
    full = expand(load_campaign(CAMPAIGNS / "fault-campaign.yaml"))
    assert sum(1 for run in full if run.spec["fault"] is not None) >= 1000
    assert {run.spec["rig"]["rig_id"] for run in full} >= {"emulated-ne1000", "emulated-grbl"}
    ci = expand(load_campaign(CAMPAIGNS / "fault-campaign-ci.yaml"))
    assert 40 <= len(ci) <= 60
    assert _plans("fault-campaign-ci") == _plans("fault-campaign")
    every_fault = {(run.spec["fault"]["device"], run.spec["fault"]["fault"]) for run in full}
    assert every_fault >= {("pump", f) for f in ("stall", "occlusion", "leak", "power_reset", "drop_bytes",
                                                 "corrupt_bytes", "delay_bytes", "disconnect")}
    assert every_fault >= {("balance", f) for f in ("unstable", "overload", "underload", "power_reset",
                                                    "corrupt_bytes", "disconnect")}
