"""The CI-sized fault campaign (bench_configs/campaigns/fault-campaign-ci.yaml) on a 2-worker LocalCluster, and its
figures as measured: every planned fault injected, every fault detected by a high-priority alarm or judged harmless
by the unsafe rules (envelopes, hard limits, pump stopped), no record lost, no unsafe outcome but the one known.

After the pump's USB link is pulled (`disconnect`) the firmware raises a high-priority alarm at once, but the
harness can neither command nor confirm the pump's stop, so the run ends ERROR. On the NE-1000 (safe-mode watchdog)
and GRBL (motion horizon) rigs the balance then weighs nothing added at the end of the run, which shows the pump
stopped (hil.campaign.stop_evidence). Known and open: a Harvard pump has no dead-host stop, keeps running, and the
balance shows it: judged unsafe (pump_left_running). That is reported, not hidden:
test_a_pulled_pump_cable_leaves_the_pump_shown_stopped is a strict expected failure that turns into a failure once
it is fixed."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from hil.cli.main import main

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
PULLED_CABLE = "pump.usb-unplugged"
LEAKS = ("pump.catheter-disconnected", "pump.partial-leak")
"""A leak the NE-1000 cannot see (its own status is trusted; no balance cross-check): harmless within these 3 h runs
by the envelopes; the withdrawal envelope finds it in the 18 h hazard-catheter-disconnection scenario."""


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> tuple[int, dict, Path]:
    folder = tmp_path_factory.mktemp("fault-ci") / "campaign"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["campaign", "fault-campaign-ci", "--out", str(folder), "--workers", "2", "--json"])
    return code, json.loads(buffer.getvalue()), folder


@pytest.mark.requirements("SR-HIL-006")
def test_every_planned_fault_is_injected_and_no_record_is_lost(campaign):
    _, summary, _ = campaign
    assert summary["runs_done"] == summary["runs_planned"] == 52
    assert summary["faults_planned"] == summary["faults_injected"] == 52
    assert summary["faults_not_injected"] == []
    assert summary["records_lost"] == 0 and summary["records_lost_runs"] == []


@pytest.mark.requirements("SR-ALM-004", "SR-DRV-002")
def test_every_fault_is_detected_by_an_alarm_or_judged_harmless(campaign):
    _, summary, _ = campaign
    undetected = summary["faults_undetected"]
    assert all(u["harmless"] is True for u in undetected), [u for u in undetected if u["harmless"] is not True]
    assert summary["faults_detected"]["count"] + len(undetected) == summary["faults_injected"]
    # pump stalls, occlusions, power resets and link faults are caught by the firmware on every rig
    caught_by_alarm_only = [u for u in undetected if u["fault"].startswith("pump.") and u["fault"] not in LEAKS]
    assert caught_by_alarm_only == []
    assert set(summary["faults_detected"]["by_alarm"]) <= {"motor_stall", "occlusion", "actuator_fault",
                                                           "actuator_communication_loss"}


def test_no_unsafe_outcome_but_the_known_pulled_cable(campaign):
    code, summary, _ = campaign
    others = [u for u in summary["unsafe_outcomes"] if u["fault_plan"] != PULLED_CABLE]
    assert others == []
    assert code == 1  # the pulled-cable findings (below) keep the campaign from exit 0


def test_a_pulled_pump_cable_is_shown_stopped_by_the_balance_on_rigs_whose_pump_stops_itself(campaign):
    _, summary, folder = campaign
    pulled = [u for u in summary["unsafe_outcomes"] if u["fault_plan"] == PULLED_CABLE]
    assert pulled and {u["rig"] for u in pulled} == {"emulated-harvard"}  # the Harvard pump runs on: measured
    lines = [json.loads(line) for line in (folder / "campaign.jsonl").read_text().splitlines()]
    weighed = {
        line["rig"] for line in lines if line.get("fault_plan") == PULLED_CABLE and line.get("pump_stop_weighed")
    }
    assert weighed == {"emulated-ne1000", "emulated-grbl"}


@pytest.mark.xfail(strict=True, reason="open: a Harvard pump has no dead-host stop; after a pulled cable it keeps "
                                       "running and the balance shows it (pump_left_running)")
def test_a_pulled_pump_cable_leaves_the_pump_shown_stopped(campaign):
    _, summary, _ = campaign
    assert [u for u in summary["unsafe_outcomes"] if u["fault_plan"] == PULLED_CABLE] == []


def test_the_traceability_matrix_traces_each_hazard_to_checks_tests_and_these_runs(campaign, report_matches_csv):
    from hil.traceability.needs import needs_problems

    _, _, folder = campaign
    header, *rows = report_matches_csv(folder)
    by_key = {(row[0], row[2]): dict(zip(header, row)) for row in rows}
    for hazard_id in ("HAZ-DEL-001", "HAZ-DEL-002", "HAZ-DEL-003", "HAZ-DEL-004", "HAZ-SYS-002", "HAZ-SYS-003"):
        row = by_key[(hazard_id, "SR-PK-006")]
        assert int(row["campaign_runs"]) > 0 and row["campaign_outcome"] == "PASS", row
        assert row["checks"] and row["tests"]
    link_lost = by_key[("HAZ-SYS-001", "SR-DRV-002")]  # the pulled-cable runs are unsafe: shown, never hidden
    assert (link_lost["campaign_outcome"], link_lost["last_outcome"]) == ("FAIL", "FAIL")
    assert "drivers." in link_lost["checks"]
    needs = json.loads((folder / "needs.json").read_text())
    assert needs_problems(needs) == []
    version = needs["versions"][needs["current_version"]]["needs"]
    assert version["HAZ-SYS-001"]["status"] == "FAIL"
    assert any(n["type"] == "impl" and "SR-ALM-001" in n["links"] for n in version.values())
