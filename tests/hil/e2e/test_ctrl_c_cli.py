"""`itpump run` as a separate process, sent a real SIGINT at a chosen phase (the wrapper below sends it from inside
the function that phase calls, so the phase is hit every time): exit code 2, one JSON object saying ERROR, no
traceback, the record finished and naming the interrupt, summary.json saying ERROR."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hil.records import events as ev
from hil.records.reader import read_record
from scenario_yaml import adult_scenario_yaml

pytestmark = pytest.mark.timeout(180)
WRAPPER = """\
import os, signal, sys
import hil.outputs.render as render
import hil.runner.execution as execution

def sigint_then(original):
    def wrapper(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return original(*args, **kwargs)
    return wrapper

phase = sys.argv[1]
if phase == "verdict":
    execution.evaluate_pk = sigint_then(execution.evaluate_pk)
elif phase == "rendering":
    render.write_plots = sigint_then(render.write_plots)
from hil.cli.main import main
sys.exit(main(sys.argv[2:]))
"""
SCENARIO = adult_scenario_yaml("short-prime", 1.0, ["{at_h: 0.0, action: prime}", "{at_h: 1.0, action: wait}"])


@pytest.mark.requirements("SR-HIL-001")
@pytest.mark.parametrize("phase, recorded_phase", [
    ("verdict", "the verdict (expectations, PK prediction, envelopes)"),
    ("rendering", "rendering the outputs"),
])
def test_sigint_during_the_verdict_or_the_rendering_is_an_error_run(bundled_configs: Path, tmp_path: Path,
                                                                    phase: str, recorded_phase: str) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    run_dir = tmp_path / "run"
    env = {**os.environ, "ITPUMP_BENCH_CONFIGS": str(bundled_configs)}
    done = subprocess.run([sys.executable, "-c", WRAPPER, phase, "run", str(scenario), "--out", str(run_dir),
                           "--json"], env=env, capture_output=True, text=True, timeout=150)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3, done.stdout
    out = json.loads(done.stdout)
    assert out["outcome"] == "ERROR" and "interrupted by the operator (Ctrl-C)" in out["reason"]
    record = read_record(run_dir / "record.jsonl")
    finished = record.finished
    assert record.intact and finished is not None
    assert [i.phase for i in record.typed(ev.Interrupt)] == [recorded_phase]
    assert finished.pump_running_after_stop is False
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcome"] == "ERROR" and summary["reason"] == out["reason"]
    if phase == "rendering":
        assert set(out["outputs_missing"]) == {"traceability", "junit"} == set(summary["outputs_missing"])
    else:
        assert finished.outcome == "ERROR" and out["outputs_missing"] == {}
