"""What a run records about itself: the scenario's plan and PASS meaning, device identities, versions."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from drivers.errors import DeviceTimeout
from hil.config.loading import load_model
from hil.config.scenario import ScenarioConfig
from hil.paths import bundled
from hil.runner import provenance
from hil.runner.scenario_plan import HAZARD_MEANING, THERAPY_MEANING, pass_meaning, scenario_plan_fields


def scenario(name: str) -> ScenarioConfig:
    return load_model(bundled("scenarios", name), ScenarioConfig)


def test_hazard_scenario_pass_means_the_hazard_was_caught_and_names_how():
    meaning = pass_meaning(scenario("hazard-occlusion"))
    assert meaning.startswith(HAZARD_MEANING + ": ")
    assert meaning.endswith("alarm motor_stall raised in 24-25 h; state alarm at 26 h")


def test_therapy_scenario_pass_means_its_expectations_and_judged_envelopes_held_and_names_them():
    meaning = pass_meaning(scenario("ptm-use"))
    assert meaning.startswith(THERAPY_MEANING + ": ")
    assert "step 3 ptm_press: rejected" in meaning
    assert "envelope plasma_ceiling holds" in meaning and "alarm occlusion not raised in 0-48 h" in meaning


def test_plan_fields_list_every_step_and_the_expectation_events_to_come():
    fields = scenario_plan_fields(scenario("ptm-use"))
    assert fields["scenario_description"] == "400 mcg/day with PTM boluses, lockout respected"
    assert [s["action"] for s in fields["planned_steps"]] == ["prime", "start_continuous", "ptm_press", "ptm_press",
                                                              "ptm_press", "ptm_press", "wait"]
    assert fields["planned_steps"][3] == {"index": 3, "at_h": 26.5, "action": "ptm_press"}
    assert len(fields["planned_expectations"]) == 6  # five step expectations and one alarm; envelopes are separate


class Balance:
    resource_name = "ASRL/dev/pts/9::INSTR"

    def __init__(self, reply):
        self.reply = reply

    def serial_number(self):
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


def test_rig_identity_reads_ne1000_firmware_and_balance_serial():
    pump = SimpleNamespace(transport=SimpleNamespace(url="/dev/pts/3"),
                           firmware=SimpleNamespace(model="1000", upgrade=None, version="3.928"))
    identity = provenance.rig_identity(pump, Balance("0123456789"))
    assert identity["ports"] == {"pump": "/dev/pts/3", "balance": "ASRL/dev/pts/9::INSTR"}
    assert identity["devices"]["pump"]["model"] == "NE-1000"
    assert identity["devices"]["pump"]["firmware_version"] == "3.928"
    assert identity["devices"]["balance"]["serial_number"] == "0123456789"


def test_rig_identity_records_a_failed_serial_query_and_a_grbl_version():
    pump = SimpleNamespace(transport=SimpleNamespace(url="socket://127.0.0.1:1"), firmware=None, grbl_version="1.1h")
    identity = provenance.rig_identity(pump, Balance(DeviceTimeout("no reply to I4")))
    assert identity["devices"]["pump"] == {"driver": "SimpleNamespace", "model": "GRBL", "firmware_version": "1.1h"}
    balance = identity["devices"]["balance"]
    assert balance["serial_number"] is None and "no reply to I4" in balance["error"]
    assert provenance.rig_identity(pump, None)["ports"] == {"pump": "socket://127.0.0.1:1"}


def test_dependency_versions_name_python_and_every_dependency():
    versions = provenance.dependency_versions()
    assert list(versions) == ["python", *provenance.DEPENDENCIES]
    assert versions["numpy"] != "not installed"
    assert provenance.dependency_versions(("no-such-distribution-xyz",))["no-such-distribution-xyz"] == "not installed"


@pytest.mark.parametrize("revision, dirty", [("0123abcd-dirty", True), ("0123abcd", False), ("unknown", None)])
def test_git_dirty_flag(revision, dirty):
    assert provenance.git_dirty(revision) is dirty
