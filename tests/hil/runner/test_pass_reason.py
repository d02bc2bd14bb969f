"""A PASS's reason counts the expectations that were checked (not the steps that carry none), and says what the
scenario expects nothing of: a refused step, a high-priority alarm that stopped delivery."""
from __future__ import annotations

from pathlib import Path

from hil.runner import RunOptions, run_scenario
from tests.support.scenario_yaml import adult_scenario_yaml

CONFIGS = Path(__file__).resolve().parents[3] / "bench_configs"


def test_a_pass_says_what_was_refused_and_which_alarms_no_expectation_names(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(CONFIGS))
    scenario = tmp_path / "unexpected.yaml"
    scenario.write_text(adult_scenario_yaml("unexpected", 3.0, [
        "{at_h: 0.0, action: prime}",
        "{at_h: 1.0, action: start_continuous, rate_mcg_per_day: 400, expect: {decision: approved}}",
        "{at_h: 1.5, action: inject_fault, device: pump, fault: occlusion}",
        "{at_h: 2.0, action: start_continuous, rate_mcg_per_day: 400}",
        "{at_h: 3.0, action: wait}"], supervision_period_s=60,
        expectations="expectations:\n  states:\n    - {at_h: 0.5, state: priming}\n"))
    result = run_scenario(scenario, CONFIGS / "rigs" / "emulated-ne1000.yaml", RunOptions(out_dir=tmp_path / "run"))
    assert result.outcome == "PASS", result.reason
    assert result.reason.startswith("all 2 expectations met and ")  # the approved step and the state, not 5 steps
    assert "step 3 start_continuous at 2 h was rejected, which the scenario expects nothing of (" in result.reason
    # the NE-1000 reports an occlusion as a stall
    assert "high-priority alarm motor_stall at 1.750 h, which no expectation names (delivery stopped)" in result.reason


def test_a_step_approved_over_soft_limits_says_what_it_overrode_in_every_output(tmp_path: Path, monkeypatch) -> None:
    """1150 mcg/day with override_soft_limits: the firmware's decision recorded the overridden soft maximum, while
    the terminal, summary.json and the report said only "approved as expected (no reasons)" and PASS."""
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(CONFIGS))
    scenario = tmp_path / "override.yaml"
    scenario.write_text(adult_scenario_yaml("override", 2.0, [
        "{at_h: 0.0, action: prime}",
        "{at_h: 1.0, action: start_continuous, rate_mcg_per_day: 1150, override_soft_limits: true, "
        "expect: {decision: approved}}",
        "{at_h: 2.0, action: wait}"], supervision_period_s=60))
    result = run_scenario(scenario, CONFIGS / "rigs" / "emulated-ne1000.yaml", RunOptions(out_dir=tmp_path / "run"))
    assert "step 1 start_continuous at 1 h approved over soft limits (override_soft_limits): programmed daily dose " \
           "1150 mcg/day exceeds the spinal-origin soft maximum 800 mcg/day" in result.reason
    step = result.steps[1]
    assert any("soft maximum 800 mcg/day" in reason for reason in step.overridden)
    check = next(x for x in result.expectations if x.name == "step 1 start_continuous: approved")
    assert "approved as expected (no reasons); soft limits overridden: programmed daily dose 1150" in check.detail
    assert "soft limits overridden" in (tmp_path / "run" / "report.html").read_text()
