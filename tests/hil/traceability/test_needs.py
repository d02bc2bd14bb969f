"""The sphinx-needs needs.json export: requirements, evidence and hazards as linked needs, in the format
sphinx-needs' needs builder writes (versions -> version -> needs keyed by id), beside every traceability.json."""
from __future__ import annotations

import json
from datetime import datetime, UTC

from firmware_sim.hazards import HAZARDS as HAZARD_REGISTRY
from firmware_sim.hazards import Hazard
from firmware_sim.outcome import Outcome
from hil.traceability.files import write_matrix_files
from hil.traceability.model import Evidence, Source, build_matrix
from hil.traceability.needs import (evidence_need_id, needs_document, needs_path, needs_problems, registered_hazards,
                                    write_needs_file)

REGISTRY = {"SR-A-001": "The pump stops on an occlusion. Within 2 s.", "SR-A-002": "second", "SR-B-001": "third"}
SOURCE = Source(kind="pytest", name="pytest tests")
SHARED = Evidence(kind="test", name="tests/t.py::test_both[x]", outcome=Outcome.FAIL, detail="assert 1 == 2")
EVIDENCE = [("SR-A-001", SHARED), ("SR-A-002", SHARED),
            ("SR-A-001", Evidence(kind="envelope", name="plasma_ceiling", outcome=Outcome.PASS)),
            ("SR-X-009", Evidence(kind="step", name="step 1 prime", outcome=Outcome.PASS))]


HAZARDS = (Hazard("HAZ-PRG-001", "10x rate", "a daily dose entered 10x too high", "overdose",
                  ("SR-A-001", "SR-B-001"), ()),
           Hazard("HAZ-SYS-001", "link lost", "a loose cable", "withdrawal", ("SR-B-001", "SR-Z-404"), ()),
           Hazard("HAZ-REF-001", "pocket fill", "needle outside the septum", "overdose", ("SR-X-009", "SR-B-001"), ()),
           Hazard("HAZ-REF-002", "wrong concentration", "not in the library", "overdose", ("SR-X-009",), ()))


def document(hazards=HAZARDS) -> dict:  # noqa: ANN001
    matrix = build_matrix(SOURCE, EVIDENCE, REGISTRY)
    return needs_document(matrix, hazards, version="1.2.3", created=datetime(2026, 1, 2, tzinfo=UTC))


def test_the_document_has_the_needs_builder_layout():
    doc = document()
    assert (doc["project"], doc["current_version"], list(doc["versions"])) == ("itpump", "1.2.3", ["1.2.3"])
    version = doc["versions"]["1.2.3"]
    assert version["needs_amount"] == len(version["needs"]) and version["created"] == "2026-01-02T00:00:00+00:00"
    assert version["creator"]["source_name"] == "pytest tests"
    assert needs_problems(doc) == []


def test_requirements_are_req_needs_with_their_outcome_as_status():
    needs = document()["versions"]["1.2.3"]["needs"]
    a1 = needs["SR-A-001"]
    assert (a1["type"], a1["title"], a1["content"], a1["description"]) == (
        "req", "The pump stops on an occlusion", REGISTRY["SR-A-001"], REGISTRY["SR-A-001"])
    assert [needs[rid]["status"] for rid in ("SR-A-001", "SR-A-002", "SR-B-001")] == ["FAIL", "FAIL", "NOT_COVERED"]
    unknown = needs["SR-X-009"]
    assert unknown["type"] == "req" and "unregistered" in unknown["tags"] and unknown["status"] == "PASS"


def test_evidence_is_one_test_need_linking_every_requirement_it_verifies():
    needs = document()["versions"]["1.2.3"]["needs"]
    shared = needs[evidence_need_id("test", "tests/t.py::test_both[x]")]
    assert (shared["type"], shared["title"], shared["status"]) == ("test", "tests/t.py::test_both[x]", "FAIL")
    assert shared["links"] == ["SR-A-001", "SR-A-002"] and shared["content"] == "assert 1 == 2"
    assert shared["tags"] == ["evidence", "test"]
    envelope = needs[evidence_need_id("envelope", "plasma_ceiling")]
    assert envelope["links"] == ["SR-A-001"] and envelope["status"] == "PASS" and "envelope" in envelope["tags"]
    tests = [n for n in needs.values() if n["type"] == "test"]
    assert len(tests) == 3  # the shared test once, the envelope, the step
    assert evidence_need_id("test", "a") == evidence_need_id("test", "a") != evidence_need_id("step", "a")


def test_hazards_are_haz_needs_linking_their_requirements_with_the_worst_status():
    needs = document()["versions"]["1.2.3"]["needs"]
    haz = needs["HAZ-PRG-001"]
    assert (haz["type"], haz["title"], haz["links"], haz["status"]) == (
        "haz", "10x rate", ["SR-A-001", "SR-B-001"], "FAIL")
    assert "a daily dose entered 10x too high" in haz["content"] and "overdose" in haz["content"]
    assert needs["HAZ-SYS-001"]["status"] == "NOT_COVERED"  # none of its requirements has evidence
    assert needs["HAZ-REF-001"]["status"] == "NOT_COVERED"  # one passed, one has no evidence: not shown controlled
    assert needs["HAZ-REF-002"]["status"] == "PASS"  # every requirement that controls it passed
    assert needs["SR-Z-404"]["type"] == "req" and "unregistered" in needs["SR-Z-404"]["tags"]  # no dangling link


def test_every_link_resolves_and_every_id_and_type_is_one_sphinx_needs_accepts():
    needs = document()["versions"]["1.2.3"]["needs"]
    assert {n["type"] for n in needs.values()} == {"req", "test", "haz"}
    assert all(key == n["id"] for key, n in needs.items())
    assert all(link in needs for n in needs.values() for link in n["links"])


def test_the_checker_finds_a_dangling_link_a_wrong_key_an_unknown_type_and_status():
    doc = document()
    needs = doc["versions"]["1.2.3"]["needs"]
    needs["HAZ-PRG-001"]["links"].append("SR-NOPE-1")
    needs["SR-A-002"]["id"] = "SR-A-003"
    needs["SR-B-001"]["type"] = "spec"
    needs["SR-A-001"]["status"] = "GREEN"
    problems = needs_problems(doc)
    assert problems == [
        "SR-A-001: unknown status 'GREEN'",
        "SR-A-002: keyed by 'SR-A-002' but its id is 'SR-A-003'",
        "SR-B-001: unknown type 'spec'",
        "HAZ-PRG-001: link to 'SR-NOPE-1', which is no need",
    ]
    doc["versions"]["1.2.3"]["needs_amount"] = 1
    assert needs_problems(doc)[0] == f"needs_amount 1 but {len(needs)} needs"


def test_needs_json_is_written_beside_every_traceability_json(tmp_path):
    matrix = build_matrix(SOURCE, EVIDENCE, REGISTRY)
    paths = write_matrix_files(matrix, tmp_path / "traceability.json")
    assert paths[-1] == tmp_path / "needs.json"
    assert needs_problems(json.loads(paths[-1].read_text())) == []
    assert needs_path(tmp_path / "junit.traceability.json") == tmp_path / "junit.needs.json"
    assert needs_path(tmp_path / "matrix.json") == tmp_path / "matrix.needs.json"


def test_every_hazard_of_the_registry_is_exported_linking_its_registered_requirements(tmp_path):
    path = write_needs_file(build_matrix(SOURCE, []), tmp_path / "needs.json")  # the real registries
    doc = json.loads(path.read_text())
    needs = doc["versions"][doc["current_version"]]["needs"]
    assert needs_problems(doc) == []
    assert {key for key, n in needs.items() if n["type"] == "haz"} == set(HAZARD_REGISTRY)
    for hazard_id, hazard in HAZARD_REGISTRY.items():
        assert needs[hazard_id]["links"] == sorted(set(hazard.requirement_ids))
        assert all(needs[rid]["type"] == "req" and "unregistered" not in needs[rid]["tags"]
                   for rid in hazard.requirement_ids)
        assert needs[hazard_id]["status"] == "NOT_COVERED"  # no evidence in this matrix
    assert [h.hazard_id for h in registered_hazards()] == list(HAZARD_REGISTRY)
