"""Scenario execution on a rig: `run_scenario(scenario_path, rig_path, RunOptions(...)) -> RunResult`."""
from hil.runner.options import RunOptions
from hil.runner.result import RunResult
from hil.runner.run import run_scenario

__all__ = ["RunOptions", "RunResult", "run_scenario"]
