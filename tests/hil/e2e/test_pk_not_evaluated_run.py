"""A run with nothing to judge: its PK envelopes are NOT_EVALUATED, never PASS. A scenario that expects an
envelope to pass then fails (the expectation is not met); one that does not is not hurt, but its reason says so,
JUnit reports the envelopes as skipped and the traceability matrix leaves their requirements NOT_EVALUATED."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hil.records import events as ev
from hil.records.reader import read_record
from hil.results import dump_json
from hil.runner import RunOptions, run_scenario
from hil.traceability.files import load_matrix

pytestmark = pytest.mark.timeout(120)


def prime_only(configs: Path, tmp_path: Path, keep_envelope_expectations: bool) -> Path:
    """screening-bolus with its boluses removed: the pump primes the catheter and delivers nothing to the tip."""
    text = (configs / "scenarios" / "screening-bolus.yaml").read_text(encoding="utf-8")
    text = text.replace("duration_h: 56", "duration_h: 4")
    text, n = re.subn(r"  - \{at_h: (1|25|49|56)\.0, action: .*\n", "", text)
    assert n == 4
    text = text.replace(
        "  - {at_h: 0.0, action: prime}\n", "  - {at_h: 0.0, action: prime}\n  - {at_h: 4.0, action: wait}\n"
    )
    if not keep_envelope_expectations:
        text, n = re.subn(r"  envelopes:\n(    - \{name: .*\n)+", "", text)
        assert n == 1
    path = tmp_path / "prime-only.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003")
def test_expected_envelopes_with_nothing_delivered_fail_the_run(bundled_configs: Path, tmp_path: Path) -> None:
    result = run_scenario(
        prime_only(bundled_configs, tmp_path, True),
        bundled_configs / "rigs" / "emulated-ne1000.yaml",
        RunOptions(out_dir=tmp_path / "run"),
    )
    assert result.outcome == "FAIL"
    assert "the scenario expects envelope plasma_reduction_vs_oral to pass, but it was not evaluated" in result.reason
    assert {e.outcome for e in result.envelopes} == {"NOT_EVALUATED"}
    assert all(e.value is None and e.passed is False for e in result.envelopes)
    record = read_record(tmp_path / "run" / "record.jsonl")
    failed = {x.name for x in record.typed(ev.Expectation) if not x.passed}
    assert failed == {"envelope plasma_reduction_vs_oral evaluated", "envelope plasma_ceiling evaluated",
                      "envelope lumbar_csf_ceiling evaluated"}


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003", "SR-PK-004")
def test_unexpected_envelopes_with_nothing_delivered_are_reported_not_passed(bundled_configs: Path,
                                                                             tmp_path: Path) -> None:
    result = run_scenario(
        prime_only(bundled_configs, tmp_path, False),
        bundled_configs / "rigs" / "emulated-ne1000.yaml",
        RunOptions(out_dir=tmp_path / "run"),
    )
    assert result.outcome == "PASS", result.reason
    assert "0 of 5 envelopes passed" in result.reason and "envelope plasma_ceiling not evaluated" in result.reason
    assert "envelope withdrawal not evaluated: no sustained program" in result.reason  # prime only: no program
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert {e["outcome"] for e in summary["envelopes"]} == {"NOT_EVALUATED"}
    assert summary["envelopes"][0]["comparator"] == "oral baclofen 20 mg four times a day (80 mg/day), steady state"
    # nothing programmed reached the tip: no finite percentage, so null (it was NaN, which is not JSON)
    assert {name: p["difference_percent"] for name, p in summary["pk_peaks"].items()} == {
        "lumbar_csf_ng_per_ml": None, "cisternal_csf_ng_per_ml": None, "plasma_ng_per_ml": None}
    assert "NaN" not in dump_json(result)
    suite = ET.parse(tmp_path / "run" / "junit.xml").getroot().find("testsuite")
    envelope_cases = [c for c in suite.findall("testcase") if c.get("classname", "").endswith(".envelopes")]
    assert len(envelope_cases) == 5 and all(c.find("skipped") is not None for c in envelope_cases)
    step_cases = [c for c in suite.findall("testcase") if c.get("classname", "").endswith(".steps")]
    waits = [c for c in step_cases if " wait at " in c.get("name", "")]  # a step that decides nothing: not judged
    assert waits and all(c.find("skipped") is not None for c in waits)
    assert suite.get("skipped") == str(5 + len(waits))
    matrix = load_matrix(tmp_path / "run" / "traceability.json")
    for requirement_id in ("SR-PK-001", "SR-PK-002", "SR-PK-003", "SR-PK-004"):
        assert matrix.requirement(requirement_id).outcome == "NOT_EVALUATED"


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003")
def test_a_run_that_judged_nothing_is_not_evaluated_and_exits_1(bundled_configs: Path, tmp_path: Path) -> None:
    """No expectation listed and no envelope evaluable: the run cannot say PASS (results.md: never a pass)."""
    scenario = prime_only(bundled_configs, tmp_path, False)
    text, n = re.subn(r"expectations:\n  alarms:\n(    - \{name: .*\n)+", "", scenario.read_text(encoding="utf-8"))
    assert n == 1
    scenario.write_text(text, encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "hil.cli.main", "run", str(scenario), "--json", "--no-progress",
                                "--out", str(tmp_path / "run")], capture_output=True, text=True, timeout=110)
    result = json.loads(completed.stdout)
    assert (completed.returncode, result["outcome"], result["passed"]) == (1, "NOT_EVALUATED", False), completed.stderr
    assert result["reason"].startswith("nothing was judged: the scenario lists no expectation and none of the 5 "
                                       "envelopes could be evaluated")
    suite = ET.parse(tmp_path / "run" / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("skipped") == "7"  # the five envelopes, the run verdict, the wait step
    run_case = next(c for c in suite.findall("testcase") if c.get("classname", "").endswith(".run"))
    assert run_case.find("skipped") is not None and run_case.find("failure") is None
