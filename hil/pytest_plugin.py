"""pytest plugin (entry point pytest11 `itpump`): the same safety tests on the emulated rig or on hardware.

    pytest tests/...                                                  # emulated rig (emulated-ne1000)
    pytest --rig bench_configs/rigs/bench-ne1000-usb.yaml tests/...   # the bench
    pytest --junitxml=out/junit.xml tests/...    # + out/junit.traceability.json/.csv/.html (requirement -> tests)

Fixtures: `rig_path`, `rig` (an opened hil.rig.Rig), `pump` (its SyringePump), `firmware` (a PumpFirmware on the
rig's pump and clock, default settings), `run_scenario` (callable: scenario name or path -> RunResult).
Marker: `@pytest.mark.requirements("SR-...", ...)`: an ID the registry (firmware_sim/requirements.py) does not
know is a collection error naming the test and the ID. A marked test's JUnit testcase carries the property
`requirements` with the comma-separated IDs (the convention of the run junit.xml files too). When marked tests
ran, the matrix of every registered requirement (hil.traceability, the schema runs use) is written next to the
--junitxml file (or to --traceability PATH) and a one-line coverage summary ends the terminal report.
This module is imported by every pytest run in the venv, so it imports nothing heavy at module level and only
acts when its fixtures, marker or options are used.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator

import pytest

from hil.paths import DEFAULT_RIG, bundled

MARKER = "requirements"
REQUIREMENTS_PROPERTY = "requirements"
"""The JUnit testcase property (pytest user_properties) with the comma-separated IDs, as in run junit.xml files."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("itpump harness")
    group.addoption(
        "--rig", default=None, help=f"rig file or bundled rig name for harness fixtures (default {DEFAULT_RIG})"
    )
    group.addoption("--traceability", default=None, metavar="PATH",
                    help="write the requirement -> tests -> outcome matrix here as JSON, with .csv and .html beside it "
                         "(default: next to --junitxml, e.g. junit.traceability.json)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(*ids): safety requirement IDs (SR-...) this test verifies")
    config.pluginmanager.register(TraceabilityCollector(config), "itpump-traceability")


def _requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers(MARKER):
        ids += [str(i) for i in mark.args]
    return list(dict.fromkeys(ids))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """A test whose requirements marker names an unknown ID fails its collector's collection, naming both."""
    report = yield
    items = [node for node in (report.result or []) if isinstance(node, pytest.Item)] if report.passed else []
    if any(True for item in items for _ in item.iter_markers(MARKER)):
        from hil.traceability.pytest_evidence import marker_problems

        problems = [
            p for item in items for p in marker_problems(item.nodeid, [m.args for m in item.iter_markers(MARKER)])
        ]
        if problems:
            report.outcome, report.result = "failed", []
            report.longrepr = "\n".join(problems)
    return report


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After every other hook of the kind: a requirements marker a conftest added while modifying the items is
    checked here (the collect report saw only those written on the tests), an unknown ID ending the session."""
    from hil.traceability.pytest_evidence import marker_problems

    problems = [p for item in items for p in marker_problems(item.nodeid, [m.args for m in item.iter_markers(MARKER)])]
    if problems:
        raise pytest.UsageError("\n".join(problems))
    for item in items:
        ids = _requirement_ids(item)
        if ids:
            item.user_properties.append((REQUIREMENTS_PROPERTY, ",".join(ids)))


class TraceabilityCollector:
    """Collects the marked tests' outcomes; writes the matrix files and prints the coverage line at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, Any] = {}   # nodeid -> hil.traceability.pytest_evidence.NodeResult
        self.written: list[Path] = []
        self.summary_line: str | None = None
        self.started_utc = datetime.now(UTC).isoformat()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        value = next((v for name, v in report.user_properties if name == REQUIREMENTS_PROPERTY), None)
        if value is None:
            return
        from hil.traceability.pytest_evidence import NodeResult, phase_outcome

        result = self.results.setdefault(report.nodeid, NodeResult(tuple(str(value).split(","))))
        shown = phase_outcome(report.when, report.outcome, getattr(report, "wasxfail", None))
        if shown is not None:
            result.phases.append(shown)

    def matrix_path(self) -> Path | None:
        explicit = self.config.getoption("--traceability", None)
        if explicit:
            return Path(explicit)
        junit = self.config.getoption("xmlpath", None)
        return Path(junit).with_suffix(".traceability.json") if junit else None

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.matrix_path()
        if not self.results and not self.config.getoption("--traceability", None):
            return
        from hil.traceability.files import write_matrix_files
        from hil.traceability.model import Source, build_matrix, coverage_line
        from hil.traceability.pytest_evidence import node_evidence

        args = " ".join(str(a) for a in self.config.args) or "."
        from hil.runner.provenance import git_revision

        matrix = build_matrix(Source(kind="pytest", name=f"pytest {args}", git_revision=git_revision(),
                                     taken_utc=self.started_utc), node_evidence(self.results))
        self.summary_line = coverage_line(matrix)
        if path is not None:
            self.written = write_matrix_files(matrix, path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.summary_line is None:
            return
        terminalreporter.write_line(self.summary_line)
        if self.written:
            terminalreporter.write_line("traceability: " + ", ".join(str(p) for p in self.written))


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
