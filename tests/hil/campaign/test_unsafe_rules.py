"""The unsafe rules are switched by a YAML true or false only ("off", "no", 0 are refused naming the file, the key
and the line: a rule turned off by a typo would hide findings), and every summary says which rules were in force,
so "no unsafe outcome" can be told from "that check was off"."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from hil.campaign.journal import Journal
from hil.campaign.loading import load_campaign
from hil.campaign.report import write_report
from hil.campaign.specs import expand
from hil.campaign.summary import summarize
from hil.campaign.table import print_summary
from hil.cli.main import main
from hil.config.errors import ConfigError
from tests.hil.campaign.test_campaign_files import BASE

pytestmark = pytest.mark.requirements("SR-HIL-006")


@pytest.mark.parametrize("value", ['"off"', '"no"', "0", "1", '"true"', "null"])
def test_an_unsafe_rule_switched_by_anything_but_true_or_false_is_refused_naming_file_key_and_line(tmp_path, value):
    path = tmp_path / "campaign.yaml"
    path.write_text(BASE + f"expect:\n  beyond_hard_limits: true\n  envelope_without_alarm: {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_campaign(path)
    assert [(issue.dotted_key, issue.line) for issue in caught.value.issues] == [("expect.envelope_without_alarm", 6)]
    assert f"{path}:6: expect.envelope_without_alarm" in str(caught.value)


def test_the_command_line_refuses_it_with_exit_2(tmp_path, capsys):
    path = tmp_path / "campaign.yaml"
    path.write_text(BASE + "expect: {pump_left_running: 'no'}\n")
    assert main(["campaign", str(path), "--out", str(tmp_path / "out"), "--json"]) == 2
    assert f"{path}:4: expect.pump_left_running" in json.loads(capsys.readouterr().out)["message"]
    assert not (tmp_path / "out").exists()


def test_the_summary_report_and_table_name_the_unsafe_rules_in_force(tmp_path: Path):
    path = tmp_path / "campaign.yaml"
    path.write_text(BASE + "faults: [none]\nexpect: {envelope_without_alarm: false, rate_window_min: 30}\n")
    journal = Journal.create(tmp_path / "c", {"name": "bad"}, expand(load_campaign(path)))
    summary = summarize(journal)
    assert summary["unsafe_rules"] == [{"envelope_without_alarm": False, "beyond_hard_limits": True,
                                        "pump_left_running": True, "rate_window_min": 30.0,
                                        "scenario_expectations": "all_runs", "n_runs": 1}]
    write_report(tmp_path / "c", journal, summary)
    report = (tmp_path / "c" / "report.html").read_text()
    assert "<h2>Unsafe rules in force</h2>" in report
    assert "envelope_without_alarm OFF, beyond_hard_limits on, pump_left_running on" in report
    console = Console(file=io.StringIO(), width=250)
    print_summary(summary, tmp_path / "c", console)
    assert "envelope_without_alarm OFF, beyond_hard_limits on, pump_left_running on (1 runs)" in \
        console.file.getvalue()
