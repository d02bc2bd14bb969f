"""The result models: frozen, outcome with a derived `passed`, no NaN or infinity, units in the names."""
from __future__ import annotations

import math
import re

import pytest
from pydantic import ValidationError

from firmware_sim.outcome import Outcome
from hil.outputs.summary import build_summary, build_summary_model
from hil.records import events as ev
from hil.records.reader import read_record
from hil.records.writer import RecordWriter
from hil.results import EnvelopeCheck, ExpectationCheck, PkPeak, dump_json
from hil.results.schemas import SCHEMAS, schema

ENVELOPE = dict(name="plasma_ceiling", value=1.0, limit=5.0, unit="ng_per_ml", requirement_ids=("SR-PK-002",),
                reason="within")


def test_passed_is_derived_from_the_outcome_and_written_beside_it():
    for outcome in Outcome:
        data = EnvelopeCheck(outcome=outcome, **ENVELOPE).to_json_dict()
        assert (data["outcome"], data["passed"]) == (outcome.value, outcome is Outcome.PASS)
    with pytest.raises(ValidationError, match="passed"):
        ExpectationCheck(name="x", outcome="PASS", passed=False, detail="", requirement_ids=())


def test_results_are_frozen_and_refuse_unknown_fields():
    envelope = EnvelopeCheck(outcome="PASS", **ENVELOPE)
    with pytest.raises(ValidationError):
        envelope.value = 2.0
    with pytest.raises(ValidationError, match="colour"):
        EnvelopeCheck(outcome="PASS", colour="red", **ENVELOPE)
    with pytest.raises(ValidationError):
        EnvelopeCheck(outcome="GOOD", **ENVELOPE)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_in_models_and_in_json(bad):
    with pytest.raises(ValidationError):
        EnvelopeCheck(outcome="FAIL", **{**ENVELOPE, "value": bad})
    with pytest.raises(ValidationError):
        PkPeak(delivered_ng_per_ml=1.0, programmed_ng_per_ml=0.0, difference_percent=bad)
    with pytest.raises(ValueError):
        dump_json({"difference_percent": bad})


def write_record(run_dir, programmed_peak_ng_per_ml: float):
    with RecordWriter(run_dir / "record.jsonl", fsync=False) as record:
        record.write(ev.RunStarted(run_id="run-1", scenario_name="s", rig_id="r", config_sha256={}, git_revision="x",
                                   seeds={}, tool_version="0", time_compression_factor=1.0, clock="virtual",
                                   started_utc="2025-01-01T00:00:00Z"))
        for label, peak in (("delivered", 0.5), ("programmed", programmed_peak_ng_per_ml)):
            record.write(ev.PkSeries(label=label, t_h=[0.0, 1.0], lumbar_csf_ng_per_ml=[0.0, peak],
                                     cisternal_csf_ng_per_ml=[0.0, peak], plasma_ng_per_ml=[0.0, peak],
                                     peaks_ng_per_ml={"lumbar_csf_ng_per_ml": peak, "plasma_ng_per_ml": peak}))
        record.write(ev.Envelope(name="plasma_ceiling", passed=False, value=None, limit=5.0, unit="ng_per_ml",
                                 requirement_ids=["SR-PK-002"], reason="not evaluated", outcome="NOT_EVALUATED"))
        record.write(ev.Expectation(name="alarm occlusion does not occur", passed=True, detail="none",
                                    requirement_ids=[]))
        record.write(ev.RunFinished(outcome="PASS", reason="ok"))
    return read_record(run_dir / "record.jsonl")


def test_a_zero_programmed_peak_gives_a_null_difference_never_nan(tmp_path):
    record = write_record(tmp_path, programmed_peak_ng_per_ml=0.0)
    summary = build_summary(record, "PASS", "ok")
    text = dump_json(summary)
    assert "NaN" not in text and "Infinity" not in text
    assert summary["pk_peaks"]["plasma_ng_per_ml"] == {"delivered_ng_per_ml": 0.5, "programmed_ng_per_ml": 0.0,
                                                       "difference_percent": None}


def test_summary_outcomes_come_from_the_record_in_the_one_vocabulary(tmp_path):
    record = write_record(tmp_path, programmed_peak_ng_per_ml=0.4)
    summary = build_summary_model(record, "PASS", "ok")
    assert summary.pk_peaks["plasma_ng_per_ml"].difference_percent == pytest.approx(25.0)
    assert [(e.outcome, e.passed) for e in summary.envelopes] == [(Outcome.NOT_EVALUATED, False)]
    assert [(x.outcome, x.passed) for x in summary.expectations] == [(Outcome.PASS, True)]


UNIT_SUFFIX = re.compile(r"_(h|s|min|ul|ml|kg|mcg|percent|ng_per_ml|ul_per_h|mcg_per_day|g_per_ml|mg_per_h)$")
UNITLESS_NUMBERS = {"index", "exit_code", "n_patients", "n_passing", "n_not_evaluated", "seed", "worst_patient_index",
                    "window_count", "samples_per_window", "percentiles", "fraction_passing", "min_fraction_passing",
                    "time_compression_factor", "value", "limit", "p5", "p50", "p95", "worst_value",
                    "frames", "cases", "frame_index", "frames_per_device"}
"""Counts (fuzz frames and cases too), identifiers, percentile levels, fractions and a ratio of times; and an
envelope's value, limit, percentiles and worst value, whose `unit` field names their unit."""


def _numeric_properties(node, found, name=None):
    if isinstance(node, dict):
        types = {node.get("type")} | {t.get("type") for t in node.get("anyOf", []) if isinstance(t, dict)}
        if name is not None and types & {"number", "integer"}:
            found.add(name)
        if node.get("type") == "array" and name is not None and {node.get("items", {}).get("type")} & {"number"}:
            found.add(name)
        for key, value in node.get("properties", {}).items():
            _numeric_properties(value, found, key)
        for key, value in node.items():
            if key != "properties":
                _numeric_properties(value, found, None)
    elif isinstance(node, list):
        for item in node:
            _numeric_properties(item, found, None)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_numeric_field_names_its_unit(name):
    found: set[str] = set()
    _numeric_properties(schema(name), found)
    missing = sorted(f for f in found if f not in UNITLESS_NUMBERS and not UNIT_SUFFIX.search(f))
    assert missing == []
    assert found or name == "check-result"  # the walk does see the numbers (check results have none)
