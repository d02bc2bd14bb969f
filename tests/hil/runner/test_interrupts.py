"""Ctrl-C at every phase of a run ends it as ERROR: the pump stopped, the record complete and naming the interrupt
and its phase, summary.json saying ERROR, outputs written or named as not written, exit code 2.

Each phase is reached deterministically by wrapping a function the run calls in that phase; the wrapper either
sends the process a real SIGINT (the first Ctrl-C: the runner's handler sets its flag) or raises
KeyboardInterrupt (what a second Ctrl-C does), then carries on or stops as the real thing would."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any
from collections.abc import Callable

import pytest

import hil.outputs.render as render_module
import hil.runner.execution as execution_module
import hil.runner.expectations as expectations_module
from hil.cli.exit_codes import ExitCode
from hil.outputs.summary import record_outcome
from hil.records import events as ev
from hil.records.reader import read_record
from hil.records.writer import RecordWriter
from hil.rig.rig import Rig
from hil.runner import RunOptions
from hil.runner.run import run_scenario
from scenario_yaml import NO_OCCLUSION, adult_scenario_yaml

pytestmark = pytest.mark.timeout(120)
REPO = Path(__file__).resolve().parents[3]
RIG = REPO / "bench_configs" / "rigs" / "emulated-ne1000.yaml"
SCENARIO = adult_scenario_yaml("short-continuous", 2.0, [
    "{at_h: 0.0, action: prime}",
    "{at_h: 1.0, action: start_continuous, rate_mcg_per_day: 500, expect: {decision: approved}}",
    "{at_h: 2.0, action: wait}",
], expectations=NO_OCCLUSION)


def press(mode: str) -> None:
    if mode == "signal":
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs before the next line
    else:
        raise KeyboardInterrupt


def hooked(original: Callable[..., Any], mode: str, before: bool = True, when: Callable[..., bool] = lambda *a: True):
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if before and when(*args):
            press(mode)
        result = original(*args, **kwargs)
        if not before and when(*args):
            press(mode)
        return result
    return wrapper


PHASES: dict[str, Callable[[pytest.MonkeyPatch, str], None]] = {
    "the rig set-up": lambda mp, mode: mp.setattr(Rig, "_open_balance", hooked(Rig._open_balance, mode)),
    "the scenario set-up": lambda mp, mode: mp.setattr(
        execution_module.RunExecution, "_set_up", hooked(execution_module.RunExecution._set_up, mode, before=False)
    ),
    "the scenario steps": lambda mp, mode: mp.setattr(
        execution_module,
        "execute_step",
        hooked(
            execution_module.execute_step, mode, before=False, when=lambda step, ctx: step.action == "start_continuous"
        ),
    ),
    "the verdict (expectations, PK prediction, envelopes)": lambda mp, mode: mp.setattr(
        execution_module, "evaluate_pk", hooked(execution_module.evaluate_pk, mode)
    ),
    "the verdict (expectations, PK prediction, envelopes) [expectations]": lambda mp, mode: mp.setattr(
        expectations_module, "check_alarm", hooked(expectations_module.check_alarm, mode)
    ),
    "the rig teardown": lambda mp, mode: mp.setattr(Rig, "close", hooked(Rig.close, mode)),
    "writing the record": lambda mp, mode: mp.setattr(
        RecordWriter, "write",
        hooked(RecordWriter.write, mode, when=lambda writer, event, *a: isinstance(event, ev.RunFinished)),
    ),
    "rendering the outputs": lambda mp, mode: mp.setattr(
        render_module, "write_plots", hooked(render_module.write_plots, mode)
    ),
}
# a second Ctrl-C (KeyboardInterrupt) can come anywhere but inside the shielded record writes and rig teardown
SHIELDED = ("writing the record", "the rig teardown")
CASES = [(phase, "signal") for phase in PHASES] + [(phase, "raise") for phase in PHASES if phase not in SHIELDED]


@pytest.fixture()
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "short.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_without_an_interrupt_the_short_run_passes(scenario: Path, tmp_path: Path) -> None:
    result = run_scenario(scenario, RIG, RunOptions(out_dir=tmp_path / "run"))
    assert (result.outcome, ExitCode.for_outcome(result.outcome)) == ("PASS", 0), result.reason
    assert read_record(tmp_path / "run" / "record.jsonl").typed(ev.Interrupt) == []


@pytest.mark.requirements("SR-HIL-001")
@pytest.mark.parametrize("phase, mode", CASES)
def test_ctrl_c_in_any_phase_ends_the_run_as_error(scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   phase: str, mode: str) -> None:
    PHASES[phase](monkeypatch, mode)
    run_dir = tmp_path / "run"
    result = run_scenario(scenario, RIG, RunOptions(out_dir=run_dir))
    assert (result.outcome, ExitCode.for_outcome(result.outcome)) == ("ERROR", 3), result.reason
    assert "interrupted by the operator (Ctrl-C)" in result.reason
    named_phase = phase.split(" [")[0]

    record = read_record(run_dir / "record.jsonl")
    assert record.intact, record.damage
    finished = record.finished
    assert finished is not None
    assert record_outcome(record)[0] == "ERROR"
    interrupts = record.typed(ev.Interrupt)
    assert interrupts and interrupts[0].phase == named_phase, interrupts
    if phase == "rendering the outputs" or phase == "writing the record":
        assert finished.outcome == "PASS"  # the run had come to its verdict; the interrupt follows it
        assert record.interrupts_after_finish()
    else:
        assert finished.outcome == "ERROR" and named_phase in finished.reason
    pump_stopped = finished.pump_running_after_stop is False
    assert pump_stopped or "the rig was not open" in finished.reason

    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcome"] == "ERROR" and summary["reason"] == result.reason
    assert (run_dir / "report.html").is_file()
    if phase == "writing the record":  # the verdict was written; the outputs were then not made
        assert set(summary["outputs_missing"]) == {"csv", "plots", "traceability", "junit"}
    elif phase == "rendering the outputs":
        missing = summary["outputs_missing"]
        assert set(missing) >= {"traceability", "junit"} and ("plots" in missing) == (mode == "raise")
        assert missing == result.outputs_missing
        assert "Outputs not written" in (run_dir / "report.html").read_text(encoding="utf-8")
        assert not (run_dir / "junit.xml").exists()
    else:
        assert summary["outputs_missing"] == {}


@pytest.mark.parametrize("mode", ["signal", "raise"])
def test_after_ctrl_c_in_the_steps_the_volumes_delivered_so_far_are_reported(
        scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    PHASES["the scenario steps"](monkeypatch, mode)
    result = run_scenario(scenario, RIG, RunOptions(out_dir=tmp_path / "run"))
    last = read_record(tmp_path / "run" / "record.jsonl").typed(ev.VolumeSample)[-1]
    assert last.after_pump_stop is True
    assert result.delivered.pump_reported_ul == last.pump_reported_ul
    # primed (506 uL) and stopped at the step at 1 h: everything delivered so far, read back after the stop
    assert last.commanded_ul == pytest.approx(506.0, abs=0.5)
    assert last.pump_reported_ul == pytest.approx(last.commanded_ul, abs=0.1)
    assert last.gravimetric_ul == pytest.approx(last.commanded_ul, rel=0.01)


@pytest.mark.parametrize("mode", ["signal", "raise"])
def test_ctrl_c_while_the_configs_load_runs_nothing_and_writes_no_run_folder(
        scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
        mode: str) -> None:
    import hil.runner.run as run_module
    from hil.cli.main import main

    monkeypatch.setattr(run_module, "load_model", hooked(run_module.load_model, mode))
    code = main(["run", str(scenario), "--rig", str(RIG), "--out", str(tmp_path / "run"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert (code, out["error"], out["exit_code"]) == (3, "error", 3)  # ERROR, not bad input
    assert "interrupted by the operator (Ctrl-C) during loading the configs: nothing was run" in out["message"]
    assert not (tmp_path / "run").exists()
