"""A plan cut short (a kill while campaign.jsonl was written, or a truncated file) is never taken for the whole
campaign: resume completes it from the campaign file when that expands to exactly the recorded plan, else refuses
(exit 2) naming the file, the counts and what to do. The summary never has fewer runs planned than the header."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hil.campaign.journal import JOURNAL_FILENAME, DamagedPlan, Journal, JournalError
from hil.campaign.specs import PlannedRun, identity_of
from hil.campaign.summary import summarize
from hil.paths import CHECKOUT_BENCH_CONFIGS

pytestmark = [pytest.mark.timeout(280), pytest.mark.requirements("SR-HIL-007")]
SMOKE = CHECKOUT_BENCH_CONFIGS / "campaigns" / "smoke.yaml"


def _cut(original: Path, folder: Path, n_planned: int, header: dict | None = None) -> list[bytes]:
    """A copy of a finished campaign folder whose campaign.jsonl keeps its header, n_planned planned lines and half
    the next one (as a kill while the plan was written left it); its run folders are all still there."""
    shutil.copytree(original, folder)
    lines = (folder / JOURNAL_FILENAME).read_bytes().splitlines(keepends=True)
    first = lines[0] if header is None else json.dumps(header).encode() + b"\n"
    kept = [first, *lines[1:1 + n_planned], lines[1 + n_planned][:200]]
    (folder / JOURNAL_FILENAME).write_bytes(b"".join(kept))
    for output in ("summary.json", "campaign.csv", "report.html"):
        (folder / output).unlink()
    return lines


def _resume(folder: Path, *campaign: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hil.cli.main", "campaign", *campaign, "--resume", str(folder),
                           "--workers", "1", "--json"], capture_output=True, text=True, timeout=240)


def test_a_plan_cut_short_is_completed_from_its_campaign_file_and_ends_as_the_whole_campaign(smoke, tmp_path):
    _code, uninterrupted, original = smoke
    folder = tmp_path / "cut"
    lines = _cut(original, folder, n_planned=2)

    resumed = _resume(folder)  # the header names the campaign file: it still expands to the recorded plan
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    summary = json.loads(resumed.stdout)
    assert (summary["runs_planned"], summary["runs_done"], summary["runs_missing"]) == (4, 4, 0)
    assert {k: v for k, v in summary.items() if k != "folder"} == \
        {k: v for k, v in uninterrupted.items() if k != "folder"}
    journal = Journal.open(folder)
    assert [run.run_id for run in journal.planned] == [json.loads(line)["run_id"] for line in lines[1:5]]
    [resumed_line] = journal.resumed
    assert (resumed_line["plan_rebuilt"]["runs_added"], resumed_line["plan_rebuilt"]["from_runs"]) == (2, 2)
    assert resumed_line["plan_rebuilt"]["verified_by"] == "plan_sha256" and resumed_line["dropped_partial_line"]
    # the folders of every run without a finished line (all four here) were removed before the runs ran again
    assert sorted(Path(name).name for name in resumed_line["run_folders_removed"]) == \
        sorted(p.name for p in (original / "runs").iterdir())


def test_a_cut_plan_is_refused_when_nothing_can_rebuild_it_exactly(smoke, tmp_path):
    _code, _summary, original = smoke
    header = json.loads((original / JOURNAL_FILENAME).read_text().splitlines()[0])
    folder = tmp_path / "cut"
    _cut(original, folder, n_planned=2, header={**header, "file": str(tmp_path / "moved-away.yaml")})
    before = (folder / JOURNAL_FILENAME).read_bytes()

    refused = _resume(folder)
    assert refused.returncode == 2, refused.stderr[-3000:]
    message = json.loads(refused.stdout)["message"]
    assert f"{folder / JOURNAL_FILENAME}: the campaign's plan is damaged: it holds 2 planned lines of the 4 runs" in \
        message
    assert "moved-away.yaml" in message and f"itpump campaign FILE --resume {folder}" in message
    assert "Nothing was run and nothing was changed" in message
    assert (folder / JOURNAL_FILENAME).read_bytes() == before[:before.rindex(b"\n") + 1]  # only the cut line dropped
    assert not (folder / "summary.json").exists()

    changed = tmp_path / "smoke-3-seeds.yaml"  # the campaign file named, but it no longer makes that plan
    changed.write_text(SMOKE.read_text().replace("seeds: 1", "seeds: 3").replace(
        "scenarios/campaign-short-continuous.yaml", str(SMOKE.parent / "scenarios/campaign-short-continuous.yaml")))
    refused = _resume(folder, str(changed))
    assert refused.returncode == 2
    message = json.loads(refused.stdout)["message"]
    assert "cannot rebuild the missing runs exactly (it expands to 12 runs, the header planned 4)" in message
    assert not (folder / "summary.json").exists()

    named = _resume(folder, str(SMOKE))  # the file it was made from, named: the plan is completed
    assert named.returncode == 0, named.stderr[-3000:]
    assert json.loads(named.stdout)["runs_planned"] == 4


def test_a_header_only_campaign_file_is_never_an_empty_campaign(smoke, tmp_path):
    _code, _summary, original = smoke
    header = json.loads((original / JOURNAL_FILENAME).read_text().splitlines()[0])
    folder = tmp_path / "header-only"
    _cut(original, folder, n_planned=0, header={**header, "file": "nowhere.yaml"})
    refused = _resume(folder)
    assert refused.returncode == 2 and "it holds 0 planned lines of the 4 runs" in json.loads(refused.stdout)["message"]


def _planned(index: int) -> PlannedRun:
    spec = {"campaign": "t", "scenario": {"name": "s"}, "rig": {"rig_id": "r", "clock": "virtual"}, "fault": None,
            "fault_plan": "none", "repetition": index, "seed": index, "patients": None,
            "expect": {"scenario_expectations": "all_runs"}}
    return PlannedRun(index, identity_of(spec), spec)


def _write(folder: Path, runs_planned: int, runs: list[PlannedRun]) -> None:
    folder.mkdir(exist_ok=True)
    lines = [{"kind": "campaign", "name": "t", "runs_planned": runs_planned}] + \
        [{"kind": "planned", **run.to_json()} for run in runs]
    (folder / JOURNAL_FILENAME).write_text("".join(json.dumps(line) + "\n" for line in lines))


@pytest.mark.parametrize("order, cut", [([0, 1], True), ([1, 0, 2], False), ([0, 0, 1], False), ([0, 2], False),
                                        ([0, 1, 2, 3], False)])
def test_planned_lines_that_are_not_the_headers_plan_are_a_damaged_plan(tmp_path, order, cut):
    _write(tmp_path, 3, [_planned(index) for index in order])
    with pytest.raises(DamagedPlan, match=r"campaign\.jsonl: the campaign's plan is damaged") as caught:
        Journal.open(tmp_path)
    assert caught.value.cut is cut


def test_a_plan_that_is_no_plan_cut_short_is_refused_naming_what_to_do(tmp_path):
    from hil.campaign.plan_repair import open_for_resume

    _write(tmp_path, 3, [_planned(1), _planned(0), _planned(2)])
    with pytest.raises(JournalError, match="It is not a plan cut short, so it cannot be completed: restore"):
        open_for_resume(tmp_path, None)


def test_the_summary_never_counts_fewer_runs_planned_than_the_header(tmp_path):
    journal = Journal(tmp_path / JOURNAL_FILENAME, {"kind": "campaign", "name": "t", "runs_planned": 5},
                      [_planned(0), _planned(1)])
    summary = summarize(journal)
    assert (summary["runs_planned"], summary["runs_missing"], summary["exit_code"]) == (5, 5, 1)


def test_a_plan_that_could_not_be_written_whole_leaves_no_campaign_file(tmp_path):
    broken = PlannedRun(1, "x", {"not a number": float("nan")})  # json refuses it half-way through the plan
    with pytest.raises(ValueError, match="Out of range float values"):
        Journal.create(tmp_path / "c", {"name": "t"}, [_planned(0), broken])
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == []
