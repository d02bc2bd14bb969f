"""`itpump list scenarios|rigs|requirements|drugs [--json]` through the command line."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_sim.requirements import REQUIREMENTS
from hil.cli.main import main

REPO = Path(__file__).resolve().parents[3]
SHIPPED = REPO / "bench_configs"
ELLIPSIS = "\u2026"


@pytest.fixture(autouse=True)
def shipped_configs(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(SHIPPED))
    return SHIPPED


def list_json(capsys, what: str) -> tuple[int, dict, str]:
    code = main(["list", what, "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def list_table(what: str, columns: int | None = None, configs: Path = SHIPPED) -> subprocess.CompletedProcess:
    """The table as a user redirecting stdout to a file gets it (stdout is a pipe, not a terminal)."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["ITPUMP_BENCH_CONFIGS"] = str(configs)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "hil.cli.main", "list", what], capture_output=True, text=True,
                          env=env, cwd=REPO)


def test_scenarios_json_names_kind_description_and_requirements(capsys):
    code, report, err = list_json(capsys, "scenarios")
    assert code == 0 and err == ""
    scenarios = {s["name"]: s for s in report["scenarios"]}
    assert set(scenarios) == {p.stem for p in (SHIPPED / "scenarios").glob("*.yaml")} | {
        p.stem for p in (SHIPPED / "scenarios").glob("*/*.yaml")}  # with scenarios/hazards/
    assert scenarios["hazard-occlusion"]["kind"] == "hazard"
    assert scenarios["adult-maintenance-flex"]["kind"] == "therapy"
    assert {s["kind"] for s in scenarios.values()} == {"therapy", "hazard"}
    assert scenarios["hazard-occlusion"]["requirement_ids"] == ["SR-ALM-001", "SR-ALM-004"]
    for scenario in scenarios.values():
        assert scenario["description"] and scenario["requirement_ids"]
        assert set(scenario["requirement_ids"]) <= set(REQUIREMENTS)
        assert Path(scenario["path"]).is_file()
    assert report["bench_configs"] == str(SHIPPED)


def test_rigs_json_names_clock_and_devices(capsys):
    code, report, _ = list_json(capsys, "rigs")
    rigs = {r["rig_id"]: r for r in report["rigs"]}
    assert code == 0 and set(rigs) == {p.stem for p in (SHIPPED / "rigs").glob("*.yaml")}
    assert rigs["emulated-ne1000"]["clock"] == "virtual" and rigs["bench-ne1000-usb"]["clock"] == "wall"
    assert rigs["emulated-ne1000"]["devices"] == [
        {"role": "pump", "model": "ne1000", "address": "emulator:pump", "emulated": True},
        {"role": "balance", "model": "mt-sics", "address": "emulator:balance", "emulated": True}]
    assert [(d["role"], d["model"], d["emulated"]) for d in rigs["bench-grbl"]["devices"]] == [
        ("pump", "grbl", False), ("balance", "mt-sics", False)]


def test_requirements_json_is_the_registry(capsys):
    code, report, _ = list_json(capsys, "requirements")
    assert code == 0
    assert [(r["requirement_id"], r["text"]) for r in report["requirements"]] == list(REQUIREMENTS.items())


def test_drugs_json_has_the_library_limits(capsys):
    code, report, _ = list_json(capsys, "drugs")
    assert code == 0
    (baclofen,) = report["drugs"]
    assert baclofen["name"] == "baclofen" and baclofen["limits"]["drug_name"] == "baclofen"
    assert baclofen["limits"]["hard_max_daily_dose_mcg"] == 1200
    assert baclofen["limits"]["allowed_conc_mcg_per_ml"] == [50, 500, 1000, 2000]


def words(text: str) -> list[str]:
    return re.findall(r"[^\s│┃|]+", text)


def test_redirected_tables_keep_every_name_and_text_whole():
    """Output to a file is laid out at a fixed width, names stay on one line and nothing ends in an ellipsis."""
    scenarios = list_table("scenarios")
    assert scenarios.returncode == 0, scenarios.stderr
    assert ELLIPSIS not in scenarios.stdout
    for path in (SHIPPED / "scenarios").glob("*.yaml"):
        assert f"│ {path.stem} " in scenarios.stdout
    assert max(len(line) for line in scenarios.stdout.splitlines()) <= 120
    ids_printed = "".join(line.split("│")[5] for line in scenarios.stdout.splitlines() if line.count("│") == 6)
    listed = json.loads(subprocess.run([sys.executable, "-m", "hil.cli.main", "list", "scenarios", "--json"],
                                       capture_output=True, text=True, cwd=REPO).stdout)["scenarios"]
    for entry in listed:  # the table cropped at 120 columns cut requirement IDs mid-word
        assert all(rid in ids_printed.replace(" ", "") for rid in entry["requirement_ids"]), entry["name"]
    requirements = list_table("requirements")
    assert ELLIPSIS not in requirements.stdout
    printed = words(requirements.stdout)
    for rid, text in REQUIREMENTS.items():
        assert rid in printed
        assert all(word in printed for word in words(text)), rid


@pytest.mark.parametrize("what", ["scenarios", "rigs", "requirements", "drugs"])
def test_narrow_tables_wrap_instead_of_truncating(what):
    """At 50 columns long names and texts fold onto further lines; every character is still printed."""
    result = list_table(what, columns=50)
    assert result.returncode == 0, result.stderr
    assert ELLIPSIS not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 50
    if what == "scenarios":
        cells = "".join(re.findall(r"^│([^│]*)│", result.stdout, flags=re.MULTILINE)).replace(" ", "")
        assert "refill-concentration-change" in cells


def test_a_bad_file_is_named_and_the_good_ones_still_listed(tmp_path: Path, capsys, monkeypatch):
    shutil.copytree(SHIPPED / "drugs", tmp_path / "drugs")
    (tmp_path / "scenarios").mkdir()
    good = (SHIPPED / "scenarios" / "hazard-occlusion.yaml").read_text()
    (tmp_path / "scenarios" / "good.yaml").write_text(good)
    (tmp_path / "scenarios" / "bad.yaml").write_text(good.replace("duration_h: 30", "duration_h: -1"))
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(tmp_path))
    code = main(["list", "scenarios", "--json"])
    out = capsys.readouterr()
    assert code == 2
    assert [s["name"] for s in json.loads(out.out)["scenarios"]] == ["hazard-occlusion"]
    bad_line = next(i for i, line in enumerate(good.splitlines(), 1) if line.startswith("duration_h"))
    assert f"{tmp_path / 'scenarios' / 'bad.yaml'}:{bad_line}: duration_h" in out.err


def test_a_missing_folder_says_where_it_looked(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(tmp_path / "nowhere"))
    assert main(["list", "rigs"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "nowhere" / "rigs") in err and "ITPUMP_BENCH_CONFIGS" in err
