"""The pytest plugin: fixtures on the emulated rig, the requirements marker, the traceability matrix."""
from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from firmware_sim.outcome import Outcome
from firmware_sim.requirements import REQUIREMENTS
from hil.traceability.files import load_matrix
from hil.traceability.model import NOT_COVERED

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.timeout(120)

TESTS = '''
import pytest

@pytest.mark.requirements("SR-DRV-001")
def test_rig_limit(pump, rig):
    from drivers.errors import LimitExceeded
    with pytest.raises(LimitExceeded):
        pump.set_rate_ul_per_h(rig.config.max_rate_ul_per_h * 2)

@pytest.mark.requirements("SR-DRV-001", "SR-SUP-003")
def test_failing(firmware):
    assert firmware.state.value == "continuous"

def test_unmarked():
    pass
'''


def _junit_requirements(junit: Path) -> dict[str, str]:
    """testcase name -> the value of its `requirements` property (the one JUnit convention)."""
    cases = ET.parse(junit).getroot().iter("testcase")
    return {c.get("name"): p.get("value") for c in cases for p in c.iter("property") if p.get("name") == "requirements"}


def test_marker_fixtures_and_matrix_next_to_the_junit(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample=TESTS)
    junit = pytester.path / "out" / "junit.xml"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--junitxml={junit}")
    result.assert_outcomes(passed=2, failed=1)
    matrix = load_matrix(pytester.path / "out" / "junit.traceability.json")
    assert [r.requirement_id for r in matrix.requirements] == list(REQUIREMENTS)   # every registered requirement
    drv = matrix.requirement("SR-DRV-001")
    assert drv.outcome == "FAIL" and drv.text == REQUIREMENTS["SR-DRV-001"]
    assert {(e.name, e.outcome) for e in drv.evidence} == {("test_sample.py::test_rig_limit", Outcome.PASS),
                                                           ("test_sample.py::test_failing", Outcome.FAIL)}
    assert [(e.kind, e.name) for e in matrix.requirement("SR-SUP-003").evidence] == [
        ("test", "test_sample.py::test_failing")
    ]
    assert matrix.requirement("SR-PK-001").outcome == "NOT_COVERED"
    assert _junit_requirements(junit) == {"test_rig_limit": "SR-DRV-001", "test_failing": "SR-DRV-001,SR-SUP-003"}
    uncovered = len(REQUIREMENTS) - 2
    result.stdout.fnmatch_lines([
        f"requirements: 2 of {len(REQUIREMENTS)} covered, 0 PASS, 2 FAIL, {uncovered} NOT COVERED",
        "traceability: *junit.traceability.json, *junit.traceability.csv, *junit.traceability.html, *junit.needs.json"])
    rows = list(csv.DictReader((pytester.path / "out" / "junit.traceability.csv").open()))
    assert len(rows) == len(REQUIREMENTS) and rows[0]["requirement_id"] == next(iter(REQUIREMENTS))
    assert "SR-SUP-003" in (pytester.path / "out" / "junit.traceability.html").read_text()


SKIPS_AND_ERRORS = '''
import pytest

@pytest.fixture()
def broken():
    raise RuntimeError("rig not there")

@pytest.mark.requirements("SR-ALM-001")
def test_passes():
    pass

@pytest.mark.requirements("SR-ALM-001")
@pytest.mark.skip(reason="needs a bench")
def test_skipped():
    pass

@pytest.mark.requirements("SR-ALM-002")
@pytest.mark.skip(reason="needs a bench")
def test_only_skipped():
    pass

@pytest.mark.requirements("SR-ALM-003")
def test_setup_error(broken):
    pass

@pytest.mark.requirements("SR-ALM-005")
@pytest.mark.xfail(reason="known defect")
def test_known_defect():
    assert False

@pytest.mark.requirements("SR-ALM-006")
@pytest.mark.xfail(reason="flaky check")
def test_flaky_that_passed():
    pass
'''


def test_a_requirement_is_never_better_than_its_worst_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample=SKIPS_AND_ERRORS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--traceability", "m/matrix.json")
    result.assert_outcomes(passed=1, skipped=2, errors=1, xfailed=1, xpassed=1)
    matrix = load_matrix(pytester.path / "m" / "matrix.json")
    outcomes = {rid: matrix.requirement(rid).outcome
                for rid in ("SR-ALM-001", "SR-ALM-002", "SR-ALM-003", "SR-ALM-005", "SR-ALM-006")}
    assert outcomes == {"SR-ALM-001": Outcome.NOT_EVALUATED, "SR-ALM-002": Outcome.NOT_EVALUATED,
                        "SR-ALM-003": Outcome.ERROR, "SR-ALM-005": Outcome.FAIL, "SR-ALM-006": Outcome.NOT_EVALUATED}
    assert "known defect" in matrix.requirement("SR-ALM-005").evidence[0].detail
    assert "passed though marked xfail: flaky check" in matrix.requirement("SR-ALM-006").evidence[0].detail
    assert (pytester.path / "m" / "matrix.csv").is_file() and (pytester.path / "m" / "matrix.html").is_file()
    result.stdout.fnmatch_lines(
        ["requirements: 5 of * covered, 0 PASS, 1 FAIL, 1 ERROR, 3 NOT_EVALUATED, * NOT COVERED"]
    )


def test_an_unknown_requirement_id_is_a_collection_error_naming_test_and_id(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample='''
import pytest

@pytest.mark.requirements("SR-DOSE-001")
def test_known():
    pass

class TestGroup:
    @pytest.mark.requirements("SR-DOSE-0O1")
    def test_typo(self):
        pass
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=j.xml")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_sample.py::TestGroup::test_typo: unknown requirement ID 'SR-DOSE-0O1'"
                                 "*did you mean SR-DOSE-001?*"])
    result.stdout.no_fnmatch_line("*1 passed*")


def test_an_unknown_requirement_id_added_by_a_conftest_ends_the_session(pytester: pytest.Pytester) -> None:
    """A marker added in pytest_collection_modifyitems came after the collect report's check: the unknown ID was
    traced as if known."""
    pytester.makeconftest('''
import pytest

def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.requirements("SR-NOPE-001"))
''')
    pytester.makepyfile(test_sample="def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--traceability", "m/matrix.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_sample.py::test_plain: unknown requirement ID 'SR-NOPE-001'*"])
    result.stdout.no_fnmatch_line("*1 passed*")
    matrix = load_matrix(pytester.path / "m" / "matrix.json")  # nothing ran: nothing is evidence
    assert {matrix.requirement(rid).outcome for rid in REQUIREMENTS} == {NOT_COVERED}


def test_a_marker_without_ids_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample="import pytest\n\n@pytest.mark.requirements()\ndef test_empty():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*test_sample.py::test_empty: @pytest.mark.requirements() names no requirement ID*"])


def test_unknown_rig_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample="def test_uses_rig(rig_path):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--rig", "no-such-rig")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*no rig file*no-such-rig.yaml*"])


def test_plugin_is_inert_without_marks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample="def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=j.xml")
    result.assert_outcomes(passed=1)
    assert not Path(pytester.path / "j.traceability.json").exists()


STALL_ON_GRBL = '''
def test_stall(firmware, rig):
    assert firmware.refill(8000, 2000, aspirated_ul=0.0).approved and firmware.prime().approved
    firmware.run_until_s(firmware.now_s + 2 * 3600)
    assert firmware.start_continuous(500).approved
    firmware.run_until_s(firmware.now_s + 3600)
    assert not firmware.active_alarms
    rig.emulator("pump").inject_fault("stall")
    firmware.run_until_s(firmware.now_s + 3600)
    (alarm,) = firmware.active_alarms
    assert alarm.name.value == "motor_stall"
    assert "balance check" in alarm.detail
'''


def test_firmware_fixture_on_an_open_loop_pump_has_the_balance_confirm_the_motion(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample=STALL_ON_GRBL)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--rig", "emulated-grbl")
    result.assert_outcomes(passed=1)


BLIND_BALANCE = '''
def test_balance_goes_silent(firmware, rig):
    assert firmware.refill(8000, 2000, aspirated_ul=0.0).approved and firmware.prime().approved
    rig.emulator("balance").inject_fault("drop_bytes", direction="to_host", count=10**6)
    firmware.run_until_s(firmware.now_s + 120)
'''


def test_firmware_fixture_fails_a_test_whose_stall_check_lost_the_balance(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample=BLIND_BALANCE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--rig", "emulated-grbl")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*balance reading(s) failed*stall check could not confirm*"])
