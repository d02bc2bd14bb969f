"""docs/schema/ is what the models generate, and every JSON output validates against it."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_json import one_json_object, run_cli, validate

from hil.records import events as ev
from hil.records.writer import RecordWriter
from hil.results import schemas

pytestmark = pytest.mark.timeout(120)


def test_the_committed_schemas_are_the_generated_ones():
    assert schemas.stale() == [], "regenerate with: python -m hil.results.schemas"
    assert schemas.main(["--check"]) == 0


def test_the_check_finds_a_stale_or_missing_schema_and_regenerating_fixes_it(tmp_path, capsys):
    schemas.write_all(tmp_path)
    assert schemas.main(["--check", "--out", str(tmp_path)]) == 0
    edited = tmp_path / "run-result.schema.json"
    edited.write_text(edited.read_text().replace('"outcome"', '"verdict"'))
    (tmp_path / "error.schema.json").unlink()
    assert schemas.main(["--check", "--out", str(tmp_path)]) == 1
    assert "run-result.schema.json" in capsys.readouterr().err
    assert schemas.main(["--out", str(tmp_path)]) == 0
    assert schemas.stale(tmp_path) == []


@pytest.fixture(scope="module")
def passed_run(tmp_path_factory) -> tuple[int, dict, Path]:
    run_dir = tmp_path_factory.mktemp("run") / "run"
    code, stdout, _ = run_cli("run", "hazard-occlusion", "--out", str(run_dir), "--json")
    return code, one_json_object(stdout), run_dir


def test_run_json_summary_json_and_report_json_validate_and_agree(passed_run, validators):
    code, out, run_dir = passed_run
    assert code == 0 and out["outcome"] == "PASS" and out["passed"] is True
    validate(validators, "run-result", out)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    validate(validators, "summary", summary)
    assert summary == {k: v for k, v in out.items() if k != "report_dir"}
    code, stdout, _ = run_cli("report", str(run_dir), "--json")
    assert code == 0 and one_json_object(stdout) == out
    with pytest.raises(AssertionError, match="verdict"):  # the schemas are strict: an unknown name fails
        validate(validators, "run-result", {**out, "envelopes": [{**out["envelopes"][0], "verdict": "PASS"}]})


def test_report_json_of_a_failed_and_of_an_unfinished_record(tmp_path, validators):
    for outcome, finished, code_expected in (("FAIL", True, 1), ("PASS", False, 3)):
        run_dir = tmp_path / f"{outcome}-{finished}"
        run_dir.mkdir()
        with RecordWriter(run_dir / "record.jsonl", fsync=False) as record:
            record.write(ev.RunStarted(run_id="r", scenario_name="s", rig_id="rig", config_sha256={}, git_revision="x",
                                       seeds={}, tool_version="0", time_compression_factor=1.0, clock="virtual",
                                       started_utc="2025-01-01T00:00:00Z"))
            record.write(ev.Expectation(name="an expectation", passed=outcome == "PASS", detail="d",
                                        requirement_ids=[]))
            if finished:
                record.write(ev.RunFinished(outcome=outcome, reason="r"))
        code, stdout, _ = run_cli("report", str(run_dir), "--json")
        out = one_json_object(stdout)
        validate(validators, "run-result", out)
        assert (code, out["outcome"]) == (code_expected, "FAIL" if finished else "ERROR")


@pytest.mark.parametrize("extra", [(), ("--population", "20", "--seed", "3")])
def test_predict_json_validates(extra, validators):
    code, stdout, _ = run_cli("predict", "--bolus-mcg", "50", "--hours", "4", "--step-min", "30", *extra, "--json")
    out = one_json_object(stdout)
    validate(validators, "prediction", out)
    assert code == 0 and (out["outcome"], out["passed"]) == ("PASS", True)
    assert out["kind"] == ("population" if extra else "typical") and out["inputs"]["horizon_h"] == 4
    if extra:  # the population verdict decides the outcome
        assert out["outcome"] == out["population_verdict"]["outcome"] and out["population_verdict"]["n_patients"] == 20


def test_predict_json_of_envelopes_not_evaluated_is_not_a_pass(validators):
    code, stdout, _ = run_cli("predict", "--bolus-mcg", "0.001", "--hours", "1", "--json")
    out = one_json_object(stdout)
    validate(validators, "prediction", out)
    assert (code, out["outcome"], out["passed"]) == (1, "NOT_EVALUATED", False)


def test_check_json_validates_with_one_result_per_file(tmp_path, validators):
    rigs = sorted(str(p) for p in (schemas.SCHEMA_DIR.parents[1] / "bench_configs" / "rigs").glob("*.yaml"))
    unknown = tmp_path / "thing.yaml"
    unknown.write_text("hello: 1\n")
    code, stdout, _ = run_cli("check", *rigs, "--json")
    out = one_json_object(stdout)
    validate(validators, "check-result", out)
    assert code == 0 and out["outcome"] == "PASS" and len(out["files"]) == len(rigs)
    code, stdout, _ = run_cli("check", rigs[0], str(unknown), "--json")
    out = one_json_object(stdout)
    validate(validators, "check-result", out)
    assert code == 2 and out["outcome"] == "FAIL"  # an invalid config is bad input
    assert [f["outcome"] for f in out["files"]] == ["PASS", "FAIL"] and "cannot tell" in out["files"][1]["message"]


def write_balance_log(path: Path, error_fraction: float = 0.02, rate_ul_per_h: float = 600.0) -> Path:
    t_s = np.arange(241) * 30.0
    mass_g = 1.0 + rate_ul_per_h * (1 + error_fraction) * t_s / 3600.0 * 0.998e-3
    path.write_text("t_s,mass_g\n" + "".join(f"{t},{m:.9f}\n" for t, m in zip(t_s, mass_g)))
    return path


@pytest.mark.parametrize("limit, outcome, code", [((), "PASS", 0),  # the report's default band, +/-14.5 %
                                                  (("--max-mean-error-percent", "5"), "PASS", 0),
                                                  (("--max-mean-error-percent", "1"), "FAIL", 1)])
def test_trumpet_json_validates_and_judges_the_mean_error(tmp_path, validators, limit, outcome, code):
    log = write_balance_log(tmp_path / "balance.csv")
    got, stdout, _ = run_cli("trumpet", str(log), "--rate-ul-per-h", "600", *limit, "--json")
    out = one_json_object(stdout)
    validate(validators, "trumpet-result", out)
    assert (got, out["outcome"]) == (code, outcome)
    assert out["mean_error_percent"] == pytest.approx(2.0, abs=1e-6) and len(out["windows"]) == 5
