"""The writer's typed helper for each event kind asks for exactly the fields hil.records.events requires of it, so
the helpers (the runner's contract) and the table the writer and reader validate against cannot drift apart."""
import inspect

import pytest

from hil.records import events as ev
from hil.records.writer import RecordWriter

HELPERS = {kind: getattr(RecordWriter, kind) for kind in ev.EVENT_KINDS if hasattr(RecordWriter, kind)}
VERDICT_FIELDS = {"n_patients", "seed", "horizon_h", "min_fraction_passing", "outcome", "envelopes"}
"""population_verdict takes these inside `verdict` (PopulationVerdict.to_dict())."""


def test_every_event_kind_but_two_has_a_typed_helper():
    assert set(ev.EVENT_KINDS) - set(HELPERS) == {ev.DRUG_LIMITS, ev.RIG_OPENED}


@pytest.mark.parametrize("kind", sorted(HELPERS))
def test_a_helper_requires_the_event_tables_required_fields(kind):
    parameters = inspect.signature(HELPERS[kind]).parameters.values()
    required = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
    table = set(ev.REQUIRED_FIELDS[kind])
    if kind == ev.POPULATION_VERDICT:
        required, table = required - {"verdict", "t_h", "bands"}, table - VERDICT_FIELDS
    assert required == table
