"""pytest plugin (entry point pytest11 `itpump`): the same safety tests on the emulated rig or on hardware.

    pytest tests/...                                                  # emulated rig (emulated-ne1000)
    pytest --rig bench_configs/rigs/bench-ne1000-usb.yaml tests/...   # the bench
    pytest --junitxml=out/junit.xml tests/...    # + out/junit.traceability.json (requirement -> tests -> outcome)

Fixtures: `rig_path`, `rig` (an opened hil.rig.Rig), `pump` (its SyringePump), `firmware` (a PumpFirmware on the
rig's pump and clock, default settings), `run_scenario` (callable: scenario name or path -> RunResult).
Marker: `@pytest.mark.requirements("SR-...", ...)`. This module is imported by every pytest run in the venv,
so it imports nothing heavy at module level and only acts when its fixtures, marker or options are used.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from hil.paths import DEFAULT_RIG, bundled

MARKER = "requirements"
_RESULTS_KEY = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("itpump harness")
    group.addoption("--rig", default=None, help=f"rig file or bundled rig name for harness fixtures (default {DEFAULT_RIG})")
    group.addoption("--traceability", default=None, metavar="PATH",
                    help="write the requirement -> tests -> outcome matrix here (default: next to --junitxml)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(*ids): safety requirement IDs (SR-...) this test verifies")
    config.stash[_RESULTS_KEY] = {}


def _requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers(MARKER):
        ids += [str(i) for i in mark.args]
    return list(dict.fromkeys(ids))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        ids = _requirement_ids(item)
        if ids:
            item.user_properties.append(("requirements", " ".join(ids)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not any(name == "requirements" for name, _ in report.user_properties):
        return
    ids = next(value for name, value in report.user_properties if name == "requirements").split()
    results = _results_of(report)
    if results is None:
        return
    entry = results.setdefault(report.nodeid, {"requirement_ids": ids, "outcome": "passed"})
    if report.failed:
        entry["outcome"] = "failed" if report.when == "call" else "error"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"


_CONFIG: list[pytest.Config] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    _CONFIG[:] = [session.config]


def _results_of(report: pytest.TestReport) -> dict | None:
    return _CONFIG[0].stash.get(_RESULTS_KEY, None) if _CONFIG else None


def traceability_matrix(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{requirement: {"description", "tests": [{"nodeid", "outcome"}], "outcome": PASS|FAIL|NOT RUN}}"""
    from firmware_sim.requirements import REQUIREMENTS

    matrix: dict[str, dict[str, Any]] = {}
    for nodeid, result in sorted(results.items()):
        for requirement_id in result["requirement_ids"]:
            entry = matrix.setdefault(requirement_id, {"description": REQUIREMENTS.get(requirement_id, "UNKNOWN ID"),
                                                       "tests": []})
            entry["tests"].append({"nodeid": nodeid, "outcome": result["outcome"]})
    for entry in matrix.values():
        outcomes = {t["outcome"] for t in entry["tests"]}
        entry["outcome"] = "FAIL" if outcomes & {"failed", "error"} else ("PASS" if "passed" in outcomes else "NOT RUN")
    return dict(sorted(matrix.items()))


def _matrix_path(config: pytest.Config) -> Path | None:
    explicit = config.getoption("--traceability", None)
    if explicit:
        return Path(explicit)
    junit = config.getoption("--junitxml", None) or config.getoption("xmlpath", None)
    return Path(junit).with_suffix(".traceability.json") if junit else None


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = _matrix_path(session.config)
    results = session.config.stash.get(_RESULTS_KEY, {})
    if path is None or (not results and not session.config.getoption("--traceability", None)):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(traceability_matrix(results), indent=2), encoding="utf-8")


# --- fixtures -------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def rig_path(pytestconfig: pytest.Config) -> Path:

    path = bundled("rigs", pytestconfig.getoption("--rig") or DEFAULT_RIG)
    if not path.is_file():
        raise pytest.UsageError(f"--rig: no rig file {path}")
    return path


@pytest.fixture()
def rig(rig_path: Path) -> Iterator[Any]:
    from hil.config.loading import load_model
    from hil.config.rig import RigConfig
    from hil.rig import Rig

    with Rig(load_model(rig_path, RigConfig)) as opened:
        yield opened


@pytest.fixture()
def pump(rig: Any) -> Any:
    return rig.pump


@pytest.fixture()
def firmware(rig: Any) -> Iterator[Any]:
    """PumpFirmware with default settings and limits on the rig's pump and clock; events in firmware.events.
    On an open-loop pump with a balance (GRBL), the balance confirms the motion as in a scenario run, and a
    balance reading that failed meanwhile fails the test at teardown (the stall check was blind for it)."""
    from firmware_sim.pump.config import FirmwareConfig
    from firmware_sim.pump.firmware import PumpFirmware
    from firmware_sim.safety.limits import DrugLimits
    from hil.adapters.for_rig import balance_sampler, pump_actuator

    sampler = balance_sampler(rig)
    weigh = (lambda: sampler.read(rig.clock.now_s())) if sampler is not None else None
    yield PumpFirmware(FirmwareConfig(), DrugLimits(), pump_actuator(rig, weigh), rig.clock)
    if sampler is not None and sampler.errors:
        pytest.fail(f"{sampler.errors} balance reading(s) failed, last {sampler.last_error}: the gravimetric "
                    f"stall check could not confirm the pump's motion then")


@pytest.fixture()
def run_scenario(rig_path: Path, tmp_path: Path) -> Callable[..., Any]:
    """run_scenario("hazard-occlusion", **RunOptions fields) -> RunResult, on the session's rig, in tmp_path."""
    from hil.runner import RunOptions
    from hil.runner import run_scenario as run

    counter = [0]

    def _run(scenario: str | Path, **options: Any) -> Any:
        counter[0] += 1
        out_dir = options.pop("out_dir", tmp_path / f"run{counter[0]}-{Path(str(scenario)).stem}")
        return run(bundled("scenarios", scenario), rig_path, RunOptions(out_dir=out_dir, **options))

    return _run
