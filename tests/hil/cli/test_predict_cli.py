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
    argv = ("--rate-mcg-per-day", "300", "--hours", "12", "--step-min", "60", "--population", "50", "--seed", "4",
            "--json")
    _, first, _ = run(capsys, *argv)
    _, second, _ = run(capsys, *argv)
    assert first == second
    report = json.loads(first)
    p = report["plasma_ng_per_ml"]
    assert set(p) == {"p5", "p50", "p95"} and len(p["p50"]) == 13
    assert all(a <= b <= c for a, b, c in zip(p["p5"], p["p50"], p["p95"]))


POPULATION_800 = ("--rate-mcg-per-day", "800", "--hours", "48", "--step-min", "60", "--population", "1000", "--seed",
                  "1")


@pytest.mark.requirements("SR-PK-002", "SR-PK-005")
def test_population_verdict_fails_the_plasma_ceiling_the_typical_patient_passes(capsys):
    """800 mcg/day: the typical patient peaks at 4.17 ng/mL (PASS) but p95 over 1000 patients is ~6.8 ng/mL."""
    code, out, _ = run(capsys, *POPULATION_800, "--json")
    report = json.loads(out)
    assert code == 1
    typical = {e["name"]: e for e in report["envelopes"]}
    assert typical["plasma_ceiling"]["outcome"] == "PASS"
    verdict = report["population_verdict"]
    ceiling = {e["name"]: e for e in verdict["envelopes"]}["plasma_ceiling"]
    assert verdict["outcome"] == "FAIL" and ceiling["outcome"] == "FAIL" and ceiling["limit"] == 5.0
    assert ceiling["p95"] > 6.0 and ceiling["fraction_passing"] < 0.95 and ceiling["n_patients"] == 1000
    assert ceiling["worst_value"] > ceiling["p95"] and ceiling["worst_patient_params"]["systemic_clearance_l_per_h"] > 0
    code, out, _ = run(capsys, *POPULATION_800)
    assert code == 1 and "Population verdict" in out and "FAIL plasma_ceiling" in out and "worst patient:" in out


def test_the_worst_childs_systemic_parameters_are_shown_as_the_child_has_them(capsys):
    """They were printed at the 70 kg reference: a 25 kg child's plasma steady state from the printed clearance,
    400 / 24 / 2.823 = 5.9 ng/mL, contradicted the worst value of 12.75 shown beside it."""
    code, out, _ = run(capsys, "--weight-kg", "25", "--rate-mcg-per-day", "400", "--population", "200", "--seed", "1",
                       "--hours", "240", "--step-min", "60")
    assert code == 1
    line = next(text for text in out.splitlines() if "FAIL plasma_ceiling" in text)
    worst_value = float(line.split("worst patient ")[1].split(": ")[1].split(" ")[0])
    shown = out.splitlines()[out.splitlines().index(line) + 1]
    scaled_clearance = float(shown.split("systemic_clearance_l_per_h ")[1].split(" at 25 kg")[0])
    assert "at the 70 kg reference" in shown
    assert 400 / 24 / scaled_clearance == pytest.approx(worst_value, rel=0.05)  # near steady state after 10 days


def test_a_horizon_shorter_than_the_bolus_is_refused(capsys):
    """It judged the 0.3 mcg that reached the tip by 0.0001 h and said PASS under a header naming a 50 mcg bolus."""
    code, _, err = run(capsys, "--bolus-mcg", "50", "--hours", "0.0001", "--step-min", "0.001")
    assert code == 2 and "--hours 0.0001 ends before the bolus does (1 min)" in err


def test_min_fraction_passing_is_configurable(capsys):
    code, out, _ = run(capsys, *POPULATION_800, "--min-fraction-passing", "0.6", "--json")
    verdict = json.loads(out)["population_verdict"]
    assert code == 0 and verdict["outcome"] == "PASS" and verdict["min_fraction_passing"] == 0.6


def test_large_population_over_a_month_is_not_refused(capsys, monkeypatch):
    """100,000 patients x 721 hourly samples (72 M samples) is accepted: only samples per patient are bounded."""
    import hil.cli.predict_report as report

    accepted = []
    monkeypatch.setattr(report, "run", lambda args: accepted.append(args) or 0)
    code, _, err = run(capsys, "--rate-mcg-per-day", "500", "--population", "100000", "--seed", "3",
                       "--hours", "720", "--step-min", "60")
    assert code == 0 and err == "" and accepted[0].population == 100000 and accepted[0].min_fraction_passing == 0.95


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
    (("--bolus-mcg", "50", "--step-min", "0.001", "--population", "100", "--seed", "1"), "samples per patient"),
    (("--bolus-mcg", "50", "--min-fraction-passing", "0.9"), "--min-fraction-passing judges a population"),
    (("--bolus-mcg", "50", "--population", "10", "--seed", "1", "--min-fraction-passing", "0"),
     "--min-fraction-passing must be > 0 and <= 1, got 0"),
    (("--bolus-mcg", "50", "--population", "10", "--seed", "1", "--min-fraction-passing", "1.5"),
     "--min-fraction-passing must be > 0 and <= 1, got 1.5"),
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


@pytest.mark.requirements("SR-PK-005", "SR-PK-006")
def test_population_verdict_leaves_withdrawal_out_as_predict_delivers_exactly_its_program(capsys):
    """Withdrawal is delivery falling below what the program sustains; predict delivers its program, so every patient
    would pass with a drop of 0 h whatever the regimen (a PASS that cannot fail): the envelope is not in the verdict."""
    for regimen in (["--rate-mcg-per-day", "300", "--bolus-mcg", "50", "--hours", "24"], ["--bolus-mcg", "50",
                                                                                          "--hours", "12"]):
        code, out, _ = run(capsys, *regimen, "--step-min", "60", "--population", "50", "--seed", "4", "--json")
        verdict = json.loads(out)["population_verdict"]
        assert "withdrawal" not in [e["name"] for e in verdict["envelopes"]] and code == 0


def test_a_steady_state_above_a_ceiling_is_said_beside_a_pass_that_judged_a_shorter_horizon(capsys):
    code, out, _ = run(capsys, "--rate-mcg-per-day", "1500", "--hours", "2")
    assert code == 0 and "PASS plasma_ceiling" in out  # 2 h judged: the peak so far is under the ceiling
    plasma = next(line for line in out.splitlines() if line.strip().startswith("plasma_ng_per_ml") and "7.8" in line)
    assert "above the 5 ng/mL ceiling: the envelopes judge 2 h only" in plasma
    _, out, _ = run(capsys, "--rate-mcg-per-day", "300", "--hours", "2")
    assert "above the" not in out
