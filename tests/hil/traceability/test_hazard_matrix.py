"""The hazard matrix: hazard -> requirement -> checks in code -> tests -> campaign runs -> last outcome, with the
checks and tests read from the code (so the matrix cannot drift from it)."""
from __future__ import annotations

import csv
import io
import textwrap

import pytest

from firmware_sim.hazards import HAZARDS
from hil.traceability.code_checks import requirement_checks, requirement_tests
from hil.traceability.hazard_matrix import CSV_COLUMNS, hazard_csv, hazard_rows


def test_every_hazards_requirements_map_to_a_check_in_code_and_a_test():
    checks, tests = requirement_checks(), requirement_tests()
    missing = [(h.hazard_id, rid, "check" if not checks.get(rid) else "test")
               for h in HAZARDS.values() for rid in h.requirement_ids if not checks.get(rid) or not tests.get(rid)]
    assert missing == []
    assert "firmware_sim.safety.checks:check_program_daily_dose" in [c.name for c in checks["SR-DOSE-001"]]
    assert "firmware_sim.pump.alarms:AlarmSet.raise_alarm" in [c.name for c in checks["SR-ALM-001"]]


def test_checks_and_tests_are_read_from_the_code_where_they_name_the_requirement(tmp_path):
    (tmp_path / "firmware_sim" / "safety").mkdir(parents=True)
    (tmp_path / "drivers").mkdir()
    (tmp_path / "hil").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "firmware_sim" / "requirements.py").write_text('REQUIREMENTS = {"SR-X-001": "registry, not a check"}\n')
    (tmp_path / "firmware_sim" / "safety" / "limits.py").write_text(textwrap.dedent('''\
        """Limits."""
        TABLE = {"a": "SR-X-002"}

        class Gate:
            def check(self, value):
                """Refuse a value too high [SR-X-003, SR-X-004]."""
                return [Finding("SR-X-001", "too high")] if value > 1 else []
        '''))
    (tmp_path / "tests" / "test_limits.py").write_text(textwrap.dedent('''\
        import pytest
        req = pytest.mark.requirements
        pytestmark = pytest.mark.requirements("SR-X-002")

        @req("SR-X-001")
        def test_high_values_are_refused():
            pass

        class TestGate:
            @pytest.mark.requirements("SR-X-003")
            def test_check(self):
                pass
        '''))
    checks = requirement_checks(tmp_path)
    assert {rid: [c.name for c in found] for rid, found in checks.items()} == {
        "SR-X-001": ["firmware_sim.safety.limits:Gate.check"], "SR-X-002": ["firmware_sim.safety.limits:TABLE"],
        "SR-X-003": ["firmware_sim.safety.limits:Gate.check"], "SR-X-004": ["firmware_sim.safety.limits:Gate.check"]}
    assert requirement_tests(tmp_path) == {
        "SR-X-001": ("tests/test_limits.py::test_high_values_are_refused",),
        "SR-X-002": ("tests/test_limits.py::TestGate::test_check",
                     "tests/test_limits.py::test_high_values_are_refused"),
        "SR-X-003": ("tests/test_limits.py::TestGate::test_check",)}


def _spec(hazard_id: str | None, scenario_hazard: str | None = None, fault: dict | None = None,
          rule: str = "fault_free_runs") -> dict:
    """A run spec of a group with hazard_id (its fault plan `fault`, a stall by default) or of a hazard scenario."""
    spec = {"scenario": {"document": {"hazard_id": scenario_hazard} if scenario_hazard else {}},
            "fault": fault if fault is not None else {"label": "pump.stall"},
            "expect": {"scenario_expectations": rule}}
    return {**spec, "hazard_id": hazard_id} if hazard_id else spec


SAFE = {"record_lost": False, "judged": True, "unsafe": [], "outcome": "PASS", "fault": {"injected": True},
        "envelopes": []}


def test_a_group_run_provokes_its_hazard_only_through_a_fault_that_was_injected():
    safe = SAFE
    no_fault = {**_spec("HAZ-DEL-003"), "fault": None}
    runs = [(no_fault, safe), (_spec("HAZ-DEL-003"), {**safe, "fault": {"injected": False}})]
    rows = {(r.hazard_id, r.requirement_id): r for r in hazard_rows(runs, {})}
    stall = rows[("HAZ-DEL-003", "SR-ALM-004")]
    assert (stall.campaign_runs, stall.campaign_outcome, stall.last_outcome) == (0, "NOT_RUN", "NOT_EVALUATED")
    runs.append((_spec("HAZ-DEL-003"), {**safe, "fault": {"injected": True}}))
    rows = {(r.hazard_id, r.requirement_id): r for r in hazard_rows(runs, {})}
    stall = rows[("HAZ-DEL-003", "SR-ALM-004")]
    assert (stall.campaign_runs, stall.campaign_outcome) == (1, "PASS")  # only the run that provoked it counts
    scenario_hazard = {**_spec(None, "HAZ-SYS-002"), "fault": None}  # a hazard scenario provokes it by its steps
    rows = {(r.hazard_id, r.requirement_id): r for r in hazard_rows([(scenario_hazard, safe)], {})}
    assert rows[("HAZ-SYS-002", "SR-ALM-004")].campaign_outcome == "PASS"


def test_a_hazards_outcome_is_the_worst_of_its_runs_and_tests_never_better():
    safe = SAFE
    unsafe = {**SAFE, "unsafe": [{"rule": "pump_left_running"}]}
    lost = {**SAFE, "record_lost": True, "outcome": "ERROR"}
    not_judged = {**SAFE, "judged": False, "outcome": "ERROR"}  # e.g. its rig did not open
    runs = [(_spec("HAZ-DEL-003"), safe), (_spec("HAZ-DEL-003"), safe), (_spec("HAZ-SYS-001"), safe),
            (_spec("HAZ-SYS-001"), unsafe), (_spec(None, "HAZ-SYS-002"), lost), (_spec("HAZ-DEL-001"), None),
            (_spec(None), unsafe), (_spec("HAZ-SYS-003"), safe), (_spec("HAZ-SYS-003"), not_judged)]
    rows = {(r.hazard_id, r.requirement_id): r for r in hazard_rows(runs, {"SR-ALM-004": "PASS", "SR-ALM-001": "FAIL"})}
    stall = rows[("HAZ-DEL-003", "SR-ALM-004")]
    assert (stall.campaign_runs, stall.campaign_outcome, stall.test_outcome, stall.last_outcome) == (2, "PASS", "PASS",
                                                                                                    "PASS")
    assert rows[("HAZ-DEL-003", "SR-ALM-001")].last_outcome == "FAIL"  # a failing test is never hidden by safe runs
    assert rows[("HAZ-SYS-001", "SR-ALM-004")].campaign_outcome == "FAIL"
    assert rows[("HAZ-SYS-002", "SR-ALM-004")].campaign_outcome == "ERROR"  # found through the scenario's hazard_id
    assert rows[("HAZ-DEL-001", "SR-PK-006")].campaign_outcome == "NOT_EVALUATED"  # planned, not finished
    assert {r.campaign_outcome for key, r in rows.items() if key[0] == "HAZ-SYS-003"} == {"ERROR"}
    never = rows[("HAZ-PRG-001", "SR-DOSE-001")]
    assert (never.campaign_runs, never.campaign_outcome, never.test_outcome, never.last_outcome) == (
        0, "NOT_RUN", "NOT_RUN", "NOT_EVALUATED")
    table = list(csv.reader(io.StringIO(hazard_csv(rows.values()))))
    assert tuple(table[0]) == CSV_COLUMNS and len(table) == len(rows) + 1


@pytest.mark.parametrize("spec, line, expected", [
    (_spec(None, "HAZ-DEL-001", rule="all_runs"), {**SAFE, "fault": None, "outcome": "FAIL"}, "FAIL"),
    (_spec(None, "HAZ-DEL-001"), {**SAFE, "fault": None, "outcome": "FAIL"}, "FAIL"),
    (_spec(None, "HAZ-DEL-001"), {**SAFE, "fault": None, "outcome": "NOT_EVALUATED"}, "NOT_EVALUATED"),
    (_spec("HAZ-DEL-001"), {**SAFE, "outcome": "NOT_EVALUATED"}, "NOT_EVALUATED"),
    (_spec("HAZ-DEL-001"), {**SAFE, "outcome": "FAIL"}, "PASS"),
    (_spec("HAZ-DEL-001", rule="all_runs"), {**SAFE, "outcome": "FAIL"}, "FAIL"),
    (_spec(None, "HAZ-DEL-001"), {**SAFE, "fault": None}, "PASS"),
    (_spec("HAZ-DEL-001"), {**SAFE, "outcome": "ERROR"}, "PASS"),
    (_spec("HAZ-DEL-001", rule="all_runs"), {**SAFE, "outcome": "ERROR"}, "ERROR"),
    (_spec("HAZ-DEL-001"), {**SAFE, "envelopes": [{"name": "withdrawal", "outcome": "NOT_EVALUATED"}]},
     "NOT_EVALUATED"),
], ids=["hazard-scenario-failed", "hazard-scenario-failed-fault-free-rule", "hazard-scenario-judged-nothing",
        "fault-run-judged-nothing", "fault-run-failed-under-fault-free-rule", "fault-run-failed-under-all-runs",
        "hazard-scenario-passed", "fault-run-stop-unconfirmed-under-fault-free-rule",
        "fault-run-stop-unconfirmed-under-all-runs", "fault-run-with-an-envelope-not-evaluated-under-fault-free-rule"])
def test_a_run_counts_for_its_hazard_only_as_well_as_its_own_verdict_allows(spec, line, expected):
    """A hazard scenario that did not catch its hazard, or any run that judged nothing, is never PASS evidence; a
    fault run under the fault_free_runs rule is judged by the unsafe rules alone, as the campaign summary does."""
    rows = {(r.hazard_id, r.requirement_id): r for r in hazard_rows([(spec, line)], {})}
    assert {r.campaign_outcome for key, r in rows.items() if key[0] == "HAZ-DEL-001"} == {expected}


def test_needs_json_links_checks_in_code_to_the_requirements_they_implement():
    from hil.traceability.model import Source, build_matrix
    from hil.traceability.needs import check_need_id, matrix_needs, needs_document, needs_problems

    matrix = build_matrix(Source(kind="campaign", name="c"), [])
    checks = {"SR-DOSE-001": ["firmware_sim.safety.checks:check_program_daily_dose"], "SR-NOPE-001": ["x:y"]}
    needs = matrix_needs(matrix, HAZARDS.values(), checks)
    impl = needs[check_need_id("firmware_sim.safety.checks:check_program_daily_dose")]
    assert (impl["type"], impl["links"], impl["status"]) == ("impl", ["SR-DOSE-001"], "IMPLEMENTED")
    assert check_need_id("x:y") not in needs  # a requirement no row has gets no dangling link
    assert needs["HAZ-PRG-001"]["links"] == ["SR-DOSE-001"]
    assert needs_problems(needs_document(matrix, HAZARDS.values(), version="1", checks=checks)) == []


def test_a_test_results_file_that_cannot_be_read_leaves_tests_not_run_and_never_stops_the_matrix(tmp_path, caplog):
    from hil.traceability.hazard_matrix import last_test_outcomes

    stale = tmp_path / "junit.traceability.json"
    stale.write_text('{"SR-ALM-001": {"outcome": "PASS"}}', encoding="utf-8")  # a shape another version wrote
    assert last_test_outcomes(stale) == {}
    assert str(stale) in caplog.text and "NOT_RUN" in caplog.text


def test_test_outcomes_are_taken_only_from_a_pytest_file_of_this_very_code(tmp_path, caplog):
    from hil.traceability.files import write_matrix_files
    from hil.traceability.hazard_matrix import last_test_outcomes
    from hil.traceability.model import Evidence, Source, build_matrix

    def written(revision: str | None):  # noqa: ANN202
        matrix = build_matrix(Source(kind="pytest", name="pytest tests", git_revision=revision),
                              [("SR-ALM-001", Evidence(kind="test", name="t", outcome="PASS"))])
        return write_matrix_files(matrix, tmp_path / f"{revision}.json")[0]

    assert last_test_outcomes(written("abc123"), revision="abc123") == {"SR-ALM-001": "PASS"}
    assert last_test_outcomes(written("abc123"), revision="def456-dirty") == {}
    assert "its tests ran on abc123, this code is def456-dirty" in caplog.text
    assert last_test_outcomes(written(None), revision="abc123") == {}  # a file from before the revision was kept
