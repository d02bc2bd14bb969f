"""Campaign files are validated like rigs and scenarios: every refusal names the file, the key and the line."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from hil.campaign.loading import load_campaign
from hil.campaign.specs import expand
from hil.cli.main import main
from hil.config.errors import ConfigError
from hil.paths import CHECKOUT_BENCH_CONFIGS

SHORT_SCENARIO = CHECKOUT_BENCH_CONFIGS / "campaigns" / "scenarios" / "campaign-short-continuous.yaml"
BASE = f"""\
name: bad
scenarios: [{SHORT_SCENARIO}]
rigs: [emulated-ne1000]
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "campaign.yaml"
    path.write_text(BASE + textwrap.dedent(body))
    return path


def refused(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_campaign(path)
    return caught.value


def test_an_unknown_key_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, "seeds: 2\nrepetitions: 3\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("repetitions", 5)]
    assert f"{path}:5: repetitions: unknown key" in str(error)


def test_an_unknown_key_inside_a_fault_plan_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, "faults:\n  - none\n  - {device: pump, fault: stall, at_h: 1.5, when: later}\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("faults[1].when", 6)]


def test_an_unknown_fault_name_is_refused_naming_the_known_ones(tmp_path):
    path = write(tmp_path, "faults:\n  - {device: pump, fault: melt, at_h: 1.5}\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("faults[0].fault", 5)]
    assert "unknown fault 'melt'" in str(error) and "occlusion" in str(error)


@pytest.mark.requirements("SR-HIL-006")
def test_a_fault_for_a_device_the_rig_lacks_is_refused_at_load(tmp_path):
    path = write(tmp_path, "faults:\n  - none\n  - {device: heater, fault: stall, at_h: 1.5}\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("faults[1].device", 6)]
    assert "rig emulated-ne1000 (emulated-ne1000) has no emulator 'heater' (emulators: balance, pump)" in str(error)


@pytest.mark.requirements("SR-HIL-006")
def test_a_fault_the_device_kind_does_not_have_is_refused_at_load(tmp_path):
    path = write(tmp_path, "faults:\n  - {device: balance, fault: stall, at_h: 1.5}\n")  # a balance cannot stall
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("faults[0].fault", 5)]
    assert "a balance emulator" in str(error) and "has no fault 'stall'" in str(error)


@pytest.mark.requirements("SR-HIL-006")
def test_fault_parameters_the_emulator_would_refuse_are_refused_at_load_not_when_the_fault_is_due(tmp_path):
    path = write(tmp_path, "faults:\n  - {device: pump, fault: stall, at_h: 1.5, params: {bogus: 1}}\n"
                           "  - {device: balance, fault: unstable, at_h: 1.5, params: {duration_s: -5}}\n"
                           "  - {device: pump, fault: drop_bytes, at_h: 1.5, params: {count: 0}}\n"
                           "  - {name: drop-two, device: pump, fault: drop_bytes, at_h: 1.5, params: {count: 2}}\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("faults[0].params", 5), ("faults[1].params", 6),
                                                              ("faults[2].params", 7)]
    assert "fault 'stall': unknown parameter(s) ['bogus']" in str(error)
    assert "duration_s must be a finite non-negative number, got -5 ('balance' on rig emulated-ne1000)" in str(error)
    assert "count must be at least 1, got 0" in str(error)


def test_a_fault_on_a_bench_rig_without_emulators_is_refused(tmp_path):
    path = tmp_path / "campaign.yaml"
    path.write_text(BASE.replace("[emulated-ne1000]", "[emulated-ne1000, bench-ne1000-usb]")
                    + "faults:\n  - {device: pump, fault: stall, at_h: 1.5}\n")
    error = refused(path)
    assert any(i.dotted_key == "faults[0].device" and i.line == 5 and "bench-ne1000-usb" in i.message
               for i in error.issues)


def test_a_fault_time_after_the_scenario_end_is_refused(tmp_path):
    path = write(tmp_path, "faults:\n  - {device: pump, fault: stall, at_h: {uniform: [1.0, 4.0]}}\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("faults[0].at_h", 5)]
    assert "duration_h 3" in str(error)


def test_a_missing_scenario_is_refused_with_its_line(tmp_path):
    path = tmp_path / "campaign.yaml"
    path.write_text("name: bad\nscenarios:\n  - no-such-scenario\nrigs: [emulated-ne1000]\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("scenarios[0]", 3)]


def test_the_command_line_exits_2_and_names_file_key_and_line(tmp_path, capsys):
    path = write(tmp_path, "faults:\n  - {device: heater, fault: stall, at_h: 1.5}\n")
    code = main(["campaign", str(path), "--out", str(tmp_path / "out"), "--json"])
    assert code == 2
    answer = json.loads(capsys.readouterr().out)
    assert answer["error"] == "bad_input" and f"{path}:5: faults[0].device" in answer["message"]
    assert not (tmp_path / "out").exists()


def test_the_bundled_campaigns_load_and_expand_with_stable_identities():
    for name in ("smoke", "nightly", "patient-sweep"):
        campaign = load_campaign(CHECKOUT_BENCH_CONFIGS / "campaigns" / f"{name}.yaml")
        first, again = expand(campaign), expand(campaign)
        assert [r.run_id for r in first] == [r.run_id for r in again]
        assert len({r.run_id for r in first}) == len(first)
        config = campaign.config
        assert len(first) == len(config.scenarios) * len(config.rigs) * len(config.faults) * config.seeds
    assert len(expand(load_campaign(CHECKOUT_BENCH_CONFIGS / "campaigns" / "nightly.yaml"))) >= 200


def test_resuming_with_a_campaign_file_that_no_longer_expands_to_the_plan_is_refused(tmp_path, capsys):
    from hil.campaign.journal import Journal

    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(BASE + "seeds: 1\n")
    folder = tmp_path / "out"
    Journal.create(folder, {"name": "bad"}, expand(load_campaign(campaign)))
    campaign.write_text(BASE + "seeds: 2\n")
    code = main(["campaign", str(campaign), "--resume", str(folder), "--json"])
    assert code == 2
    assert "no longer expands to the runs planned" in json.loads(capsys.readouterr().out)["message"]
    assert main(["campaign", "--resume", str(tmp_path), "--json"]) == 2  # not a campaign folder
    assert "campaign.jsonl" in json.loads(capsys.readouterr().out)["message"]


def test_a_scenario_file_named_as_a_rig_too_is_refused_as_a_rig(tmp_path):
    path = tmp_path / "campaign.yaml"
    path.write_text(BASE.replace("[emulated-ne1000]", f"[{SHORT_SCENARIO}]")
                    + "faults:\n  - {device: pump, fault: stall, at_h: 0.1}\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("rigs[0]", 3)]
    assert f"rig '{SHORT_SCENARIO}' is invalid" in str(error) and "rig_id: required key is missing" in str(error)


def test_at_s_among_a_fault_plans_params_is_refused_naming_at_h(tmp_path):
    """It collided with the trial injection's own at_s: a TypeError traceback, exit 3."""
    path = write(tmp_path, "faults:\n  - {device: pump, fault: stall, at_h: 1.5, params: {at_s: 100}}\n")
    error = refused(path)
    assert [(i.dotted_key, i.line) for i in error.issues] == [("faults[0].params", 5)]
    assert "at_s is not a fault parameter here: the fault is injected at its at_h" in str(error)
