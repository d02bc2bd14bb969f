"""The one traceability schema: every registered requirement, NOT_COVERED where nothing names it, the worst
evidence wins, and the JSON, CSV and HTML files say the same."""
from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from firmware_sim.outcome import Outcome
from hil.traceability.files import load_matrix, write_matrix_files
from hil.traceability.model import Evidence, Source, build_matrix, coverage_line

REGISTRY = {"SR-A-001": "first", "SR-A-002": "second", "SR-B-001": "third", "SR-B-002": "fourth"}
SOURCE = Source(kind="run", name="run-1")


def test_every_registered_requirement_is_a_row_and_the_worst_evidence_wins():
    matrix = build_matrix(SOURCE, [
        ("SR-A-001", Evidence(kind="step", name="step 1 prime", outcome=Outcome.PASS)),
        ("SR-A-001", Evidence(kind="envelope", name="plasma_ceiling", outcome=Outcome.NOT_EVALUATED)),
        ("SR-A-002", Evidence(kind="expectation", name="alarm", outcome=Outcome.PASS)),
        ("SR-B-001", Evidence(kind="scenario", name="scenario x", outcome=Outcome.ERROR)),
        ("SR-B-001", Evidence(kind="test", name="t.py::t", outcome=Outcome.FAIL)),
    ], REGISTRY)
    assert [r.requirement_id for r in matrix.requirements] == list(REGISTRY)
    assert [r.outcome for r in matrix.requirements] == [Outcome.NOT_EVALUATED, Outcome.PASS, Outcome.ERROR,
                                                        "NOT_COVERED"]
    assert matrix.requirement("SR-B-002").evidence == () and matrix.requirement("SR-B-002").text == "fourth"
    assert coverage_line(matrix) == ("requirements: 3 of 4 covered, 1 PASS, 1 ERROR, 1 NOT_EVALUATED, "
                                     "1 NOT COVERED")


def test_an_id_the_registry_does_not_know_is_kept_and_named():
    matrix = build_matrix(SOURCE, [("SR-X-009", Evidence(kind="step", name="s", outcome=Outcome.PASS))], REGISTRY)
    row = matrix.requirement("SR-X-009")
    assert not row.registered and "NOT IN THE REGISTRY" in row.text and row.outcome == Outcome.PASS
    assert matrix.coverage.covered == 0
    assert coverage_line(matrix).endswith("4 NOT COVERED; not in the registry: SR-X-009")


def test_the_same_evidence_twice_counts_once():
    item = Evidence(kind="test", name="t.py::t", outcome=Outcome.PASS)
    matrix = build_matrix(SOURCE, [("SR-A-001", item), ("SR-A-001", item)], REGISTRY)
    assert matrix.requirement("SR-A-001").evidence == (item,)


def test_the_model_is_frozen():
    item = Evidence(kind="test", name="t", outcome=Outcome.PASS)
    with pytest.raises(ValidationError, match="frozen"):
        item.outcome = Outcome.FAIL  # type: ignore[misc]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(list(Outcome)), min_size=1, max_size=6))
def test_a_requirement_never_looks_better_than_any_of_its_evidence(outcomes):
    evidence = [("SR-A-001", Evidence(kind="test", name=f"t{i}", outcome=o)) for i, o in enumerate(outcomes)]
    outcome = build_matrix(SOURCE, evidence, REGISTRY).requirement("SR-A-001").outcome
    rank = [Outcome.PASS, Outcome.NOT_EVALUATED, Outcome.FAIL, Outcome.ERROR]
    assert rank.index(outcome) == max(rank.index(o) for o in outcomes)


def test_json_csv_and_html_files_carry_the_same_matrix(tmp_path):
    matrix = build_matrix(SOURCE, [
        ("SR-A-001", Evidence(kind="step", name="step 3 change_rate", outcome=Outcome.FAIL, detail="<approved>")),
    ], REGISTRY)
    paths = write_matrix_files(matrix, tmp_path / "traceability.json")
    assert [p.name for p in paths] == ["traceability.json", "traceability.csv", "traceability.html", "needs.json"]
    assert load_matrix(paths[0]) == matrix
    rows = list(csv.DictReader(paths[1].open()))
    assert [(r["requirement_id"], r["outcome"]) for r in rows] == [
        ("SR-A-001", "FAIL"), ("SR-A-002", "NOT_COVERED"), ("SR-B-001", "NOT_COVERED"), ("SR-B-002", "NOT_COVERED")]
    assert rows[0]["evidence"] == "step step 3 change_rate: FAIL" and rows[0]["text"] == "first"
    page = paths[2].read_text()
    assert all(rid in page for rid in REGISTRY) and coverage_line(matrix) in page
    assert "&lt;approved&gt;" in page and "<approved>" not in page    # escaped
    assert "src=" not in page and "href=" not in page                 # self-contained
