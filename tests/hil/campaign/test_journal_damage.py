"""campaign.jsonl lines that parse as JSON but are damaged: a key missing or of another type is refused naming the
file, the line and the key (exit 2, never a traceback), and a finished line edited after it was written (its
outcome, its unsafe findings) no longer matches its line_sha256 and is refused naming the line and the run: its
verdict is never counted, let alone counted safe."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hil.campaign.collect import finished_line
from hil.campaign.journal import JOURNAL_FILENAME, Journal, JournalError
from hil.campaign.specs import PlannedRun, identity_of
from hil.cli.main import main

pytestmark = pytest.mark.requirements("SR-HIL-007")
EXPECT = {"envelope_without_alarm": True, "beyond_hard_limits": True, "pump_left_running": True,
          "rate_window_min": 15.0, "scenario_expectations": "all_runs"}
UNSAFE = [{"rule": "envelope_without_alarm", "detail": "plasma_ceiling exceeded at 2 h without an alarm"}]


def _planned(index: int) -> PlannedRun:
    spec = {"campaign": "t", "scenario": {"name": "s", "document": {}}, "rig": {"rig_id": "r", "clock": "virtual"},
            "fault_plan": "none", "fault": None, "repetition": index, "seed": index, "patients": None,
            "expect": EXPECT}
    return PlannedRun(index, identity_of(spec), spec)


def _result(outcome: str, unsafe: list[dict]) -> dict:
    data = f'{{"event":"run_finished","outcome":"{outcome}"}}\n'.encode()
    return {"files": {"record.jsonl": data}, "record_sha256": hashlib.sha256(data).hexdigest(), "worker": "w",
            "error": None, "assessment": {"outcome": outcome, "reason": "r", "record_lost": False, "judged": True,
                                          "fault": None, "envelopes": [], "dose": None, "unsafe": unsafe,
                                          "alarms": [], "patients": None}}


@pytest.fixture()
def campaign(tmp_path: Path, monkeypatch) -> Path:
    """A finished 2-run campaign folder: run 0 PASS, run 1 FAIL with an unsafe outcome (lines 4 and 5)."""
    monkeypatch.setattr("hil.campaign.collect._record_check", lambda folder, sha256: None)  # stand-in records
    folder = tmp_path / "c"
    runs = [_planned(0), _planned(1)]
    journal = Journal.create(folder, {"name": "t"}, runs)
    for run, result in zip(runs, [_result("PASS", []), _result("FAIL", UNSAFE)]):
        journal.append(finished_line(folder, run, result))
    assert main(["campaign", "--resume", str(folder), "--json"]) == 1  # intact: the unsafe run is a finding
    return folder


def _edit(folder: Path, number: int, change) -> None:  # noqa: ANN001 - a function of the line's dict
    lines = (folder / JOURNAL_FILENAME).read_text().splitlines()
    line = json.loads(lines[number - 1])
    change(line)
    lines[number - 1] = json.dumps(line)
    (folder / JOURNAL_FILENAME).write_text("\n".join(lines) + "\n")


def _refused(folder: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["campaign", "--resume", str(folder), "--json"]) == 2
    answer = json.loads(capsys.readouterr().out)
    assert answer["error"] == "bad_input"
    return answer["message"]


@pytest.mark.parametrize("number, change, named", [
    (5, lambda line: line.pop("outcome"), "line 5 (finished line): key 'outcome' is missing"),
    (4, lambda line: line.pop("run_id"), "line 4 (finished line): key 'run_id' is missing"),
    (2, lambda line: line.pop("spec"), "line 2 (planned line): key 'spec' is missing"),
    (5, lambda line: line.update(unsafe=None), "line 5 (finished line): key 'unsafe' must be a list, not None"),
    (5, lambda line: line.update(unsafe=[{"rule": "x"}]), "line 5 (finished line): key 'unsafe[0].detail' is missing"),
    (5, lambda line: line.update(record_lost="no"), "key 'record_lost' must be true or false, not 'no'"),
    (5, lambda line: line.update(outcome="OK"), "key 'outcome' must be one of PASS, FAIL, ERROR, NOT_EVALUATED"),
    (1, lambda line: line.pop("runs_planned"), "line 1 (campaign line): key 'runs_planned' is missing"),
    (4, lambda line: line.update(kind="done"), "line 4 (done line): its kind 'done' is none of campaign"),
])
def test_a_line_missing_a_key_or_holding_another_type_is_named_with_file_line_and_key(campaign, capsys, number,
                                                                                      change, named):
    _edit(campaign, number, change)
    message = _refused(campaign, capsys)
    assert named in message
    assert str(campaign / JOURNAL_FILENAME) in message and "the campaign record is damaged" in message


def test_a_finished_line_edited_to_look_safe_is_refused_naming_the_line_and_the_run(campaign, capsys):
    summary = json.loads((campaign / "summary.json").read_text())
    assert (len(summary["unsafe_outcomes"]), summary["runs_shown_safe"]) == (1, 1)
    _edit(campaign, 5, lambda line: line.update(unsafe=[], outcome="PASS"))  # the record still says FAIL
    message = _refused(campaign, capsys)
    run_id = json.loads((campaign / JOURNAL_FILENAME).read_text().splitlines()[4])["run_id"]
    assert f"{campaign / JOURNAL_FILENAME} line 5: the finished line of run 1 ({run_id}) no longer matches its " \
           f"line_sha256" in message
    assert json.loads((campaign / "summary.json").read_text()) == summary  # no output was rewritten from it


def test_a_finished_line_stripped_of_its_hash_is_refused_too(campaign, capsys):
    _edit(campaign, 5, lambda line: (line.pop("line_sha256"), line.update(unsafe=[])))
    assert "line 5: the finished line of run 1" in _refused(campaign, capsys)


def test_a_finished_line_of_a_journal_older_than_its_hash_is_still_read(campaign):
    lines = [json.loads(line) for line in (campaign / JOURNAL_FILENAME).read_text().splitlines()]
    del lines[0]["journal_format"], lines[0]["plan_sha256"]
    for line in lines[3:5]:
        del line["line_sha256"]
    (campaign / JOURNAL_FILENAME).write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert len(Journal.open(campaign).finished) == 2


def test_a_finished_line_whose_index_is_not_its_runs_is_refused(campaign):
    from hil.campaign.journal import finished_line_sha256

    def renumber(line: dict) -> None:
        line["index"] = 0
        line["line_sha256"] = finished_line_sha256(line)

    _edit(campaign, 5, renumber)
    with pytest.raises(JournalError, match=r"line 5: the finished line of run .* says index 0, its planned line 1"):
        Journal.open(campaign)
