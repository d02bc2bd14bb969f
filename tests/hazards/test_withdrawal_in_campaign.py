"""A campaign judges a failed withdrawal envelope from the time its drop began (recorded in the envelope's
details): unsafe unless a high-priority alarm came at or before it (SR-PK-006)."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.campaign.assess import _envelopes, _unsafe_envelopes
from hil.records import events as ev
from hil.records.reader import RunRecord

pytestmark = pytest.mark.requirements("SR-PK-006")

WITHDRAWAL = ev.Envelope(name="withdrawal", passed=False, outcome="FAIL", value=9.0, limit=6.0, unit="h",
                         requirement_ids=("SR-PK-006",), reason="withdrawal",
                         details={"drop_began_h": 10.0, "drop_ended_h": 19.0})


def judged(*alarm_h: float) -> list[dict]:
    alarms = [ev.Alarm(t_s=h * 3600.0, name="occlusion", priority="high") for h in alarm_h]
    record = RunRecord(Path("record.jsonl"), [WITHDRAWAL, *alarms])
    return _unsafe_envelopes(record, _envelopes(record))


def test_a_withdrawal_drop_is_judged_from_when_it_began():
    assert judged(4.0) == []
    [unsafe] = judged(11.0)
    assert unsafe["rule"] == "envelope_without_alarm" and "exceeded at 10.000 h" in unsafe["detail"]
    assert [u["rule"] for u in judged()] == ["envelope_without_alarm"]


def test_an_alarm_cleared_before_the_drop_announces_nothing_of_it():
    """The alarm at 4 h was cleared at 5 h and the therapy went on: the drop at 10 h came unannounced."""
    alarm = ev.Alarm(t_s=4 * 3600.0, name="occlusion", priority="high")
    cleared = ev.FirmwareEvent(t_s=5 * 3600.0, kind="alarm_cleared", fields={"alarm": "occlusion"})
    record = RunRecord(Path("record.jsonl"), [WITHDRAWAL, alarm, cleared])
    assert [u["rule"] for u in _unsafe_envelopes(record, _envelopes(record))] == ["envelope_without_alarm"]
    cleared_after = ev.FirmwareEvent(t_s=12 * 3600.0, kind="alarm_cleared", fields={"alarm": "occlusion"})
    record = RunRecord(Path("record.jsonl"), [WITHDRAWAL, alarm, cleared_after])
    assert _unsafe_envelopes(record, _envelopes(record)) == []  # still latched when the drop began
