"""A population_verdict line is read only when every envelope carries what the outputs read: one without its outcome
crashed `itpump report` in junit.xml, the traceability and summary.json, and left those files saying PASS."""
from __future__ import annotations

import pytest

from hil.records.event_fields import POPULATION_ENVELOPE_KEYS, event_problem


def _event(**envelope_changes: object) -> dict[str, object]:
    envelope = {"name": "plasma_ceiling", "unit": "ng_per_ml", "limit": 5.0, "requirement_ids": ["SR-PK-002"],
                "n_patients": 20, "n_passing": 20, "n_not_evaluated": 0, "min_fraction_passing": 0.95,
                "outcome": "PASS", "reason": "r", **envelope_changes}
    return {"event": "population_verdict", "t_s": 0.0, "n_patients": 20, "seed": 1, "horizon_h": 1.0,
            "min_fraction_passing": 0.95, "outcome": "PASS", "envelopes": [envelope]}


def test_a_whole_envelope_is_well_formed():
    assert event_problem(_event()) is None


@pytest.mark.parametrize("key", POPULATION_ENVELOPE_KEYS)
def test_an_envelope_without_a_key_the_outputs_read_is_named(key):
    event = _event()
    del event["envelopes"][0][key]  # type: ignore[index]
    assert event_problem(event) == f"population_verdict envelopes[0] lacks {key}"


def test_an_unknown_outcome_is_named():
    assert "envelopes[0] outcome 'MAYBE' is not one of" in str(event_problem(_event(outcome="MAYBE")))
    event = _event()
    event["outcome"] = "GOOD"
    assert "population_verdict outcome 'GOOD' is not one of" in str(event_problem(event))
