import json

import numpy as np
import pytest

from hil.cli.main import main


def run(capsys, *argv):
    code = main(["predict", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_make_run_regimen_summary(capsys):
    code, out, _ = run(capsys, "--rate-mcg-per-day", "500", "--bolus-mcg", "50", "--hours", "48")
    assert code == 0
    assert "PASS plasma_reduction_vs_oral" in out and "SR-PK-004" in out and "Steady state" in out


def test_json_single_patient(capsys):
    code, out, _ = run(capsys, "--bolus-mcg", "50", "--hours", "6", "--step-min", "30", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["t_h"] == pytest.approx(list(np.arange(13) * 0.5))
    for name in ("lumbar_csf_ng_per_ml", "cisternal_csf_ng_per_ml", "plasma_ng_per_ml", "effect_ng_per_ml"):
        assert len(report[name]) == 13
    assert report["lumbar_csf_ng_per_ml"][0] == 0.0 and report["lumbar_csf_ng_per_ml"][1] > 0
    assert {e["name"] for e in report["envelopes"]} == {"plasma_reduction_vs_oral", "plasma_ceiling",
                                                       "lumbar_csf_ceiling", "cisternal_csf_ceiling"}


def test_json_population_percentiles_reproducible(capsys):
    argv = ("--rate-mcg-per-day", "300", "--hours", "12", "--step-min", "60", "--population", "50", "--seed", "4", "--json")
    _, first, _ = run(capsys, *argv)
    _, second, _ = run(capsys, *argv)
    assert first == second
    report = json.loads(first)
    p = report["plasma_ng_per_ml"]
    assert set(p) == {"p5", "p50", "p95"} and len(p["p50"]) == 13
    assert all(a <= b <= c for a, b, c in zip(p["p5"], p["p50"], p["p95"]))


def test_failing_envelope_exits_1(capsys):
    code, out, _ = run(capsys, "--bolus-mcg", "1000", "--hours", "12")
    assert code == 1 and "FAIL cisternal_csf_ceiling" in out


@pytest.mark.parametrize("argv, message", [
    (("--rate-mcg-per-day", "-5"), "--rate-mcg-per-day must be >= 0"),
    (("--bolus-mcg", "fifty"), "--bolus-mcg must be a number"),
    (("--weight-kg", "0", "--bolus-mcg", "50"), "--weight-kg must be >= 2 and <= 250, got 0"),
    (("--weight-kg", "5e-324", "--bolus-mcg", "50"), "--weight-kg must be >= 2 and <= 250, got 5e-324"),
    (("--bolus-mcg", "50", "--step-min", "1e-9"), "--step-min 1e-09 over --hours 48 is about 2.88e+12 samples"),
    (("--bolus-mcg", "50", "--step-min", "5e-324"), "allowed --step-min >= 0.00144"),
    (("--bolus-mcg", "50", "--step-min", "0.01", "--population", "100", "--seed", "1"), "x --population 100"),
    (("--hours", "0", "--bolus-mcg", "50"), "--hours must be > 0"),
    (("--bolus-mcg", "50", "--population", "10"), "--population and --seed go together"),
    (("--bolus-mcg", "50", "--population", "1.5", "--seed", "1"), "--population must be an integer"),
    ((), "nothing to predict"),
    (("--bolus-mcg", "50", "--hours", "1", "--step-min", "90"), "--step-min 90 is longer than --hours 1"),
])
def test_bad_arguments_exit_2_with_message(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        code = main(["predict", *argv])
        raise SystemExit(code)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
