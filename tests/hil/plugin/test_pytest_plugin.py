"""The pytest plugin: fixtures on the emulated rig, the requirements marker, the traceability matrix."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def test_marker_fixtures_and_matrix_next_to_the_junit(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample=TESTS)
    junit = pytester.path / "out" / "junit.xml"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--junitxml={junit}")
    result.assert_outcomes(passed=2, failed=1)
    matrix = json.loads((pytester.path / "out" / "junit.traceability.json").read_text())
    assert matrix["SR-DRV-001"]["outcome"] == "FAIL"
    assert {t["outcome"] for t in matrix["SR-DRV-001"]["tests"]} == {"passed", "failed"}
    assert matrix["SR-SUP-003"]["tests"] == [{"nodeid": "test_sample.py::test_failing", "outcome": "failed"}]
    assert "requirements" in junit.read_text()


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
