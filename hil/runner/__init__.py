"""Scenario execution on a rig: `run_scenario(scenario_path, rig_path, RunOptions(...)) -> RunResult`."""
from hil.runner.options import RunOptions
from hil.runner.result import RunResult

__all__ = ["RunOptions", "RunResult", "run_scenario"]


def __getattr__(name: str):  # noqa: ANN202
    # run_scenario pulls in the PK kernel and the plotting; a command that only needs RunOptions should not
    if name == "run_scenario":
        from hil.runner.run import run_scenario
        return run_scenario
    raise AttributeError(f"module 'hil.runner' has no attribute {name!r}")
