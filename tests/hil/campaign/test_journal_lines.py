"""campaign.jsonl read on resume: a line damaged in the middle is a JournalError naming the file and the line, also
when the damage is a number no writer writes (one past the float range, NaN, an integer too long to convert)."""
from __future__ import annotations

import json

import pytest

from hil.campaign.journal import JOURNAL_FILENAME, Journal, JournalError

HEADER = {"kind": "campaign", "name": "c", "file": "c.yaml", "sha256": "ab", "runs_planned": 0}


def write_journal(folder, second_line: bytes, header: dict = HEADER) -> None:  # noqa: ANN001
    (folder / JOURNAL_FILENAME).write_bytes(json.dumps(header).encode() + b"\n" + second_line + b"\n")


def test_an_intact_journal_opens(tmp_path):
    write_journal(tmp_path, b'{"kind": "resumed", "t_utc": "2026-12-05T00:00:00Z", "count": 1.5}')
    assert Journal.open(tmp_path).header == HEADER


@pytest.mark.parametrize("value, named", [
    (b"1.5E999", "the number 1.5E999 is not finite"),
    (b"NaN", "NaN is not a number a record holds"),
    (b"-Infinity", "-Infinity is not a number a record holds"),
    (b"9" * 5000, "Exceeds the limit"),
    (b"1.5,", "Expecting property name"),
])
def test_a_line_with_a_number_no_writer_writes_is_named(tmp_path, value, named):
    write_journal(tmp_path, b'{"kind": "resumed", "count": ' + value + b"}")
    with pytest.raises(JournalError, match=rf"campaign\.jsonl line 2 is not a JSON line \(.*{named}") as caught:
        Journal.open(tmp_path)
    assert "the campaign record is damaged" in str(caught.value)


def test_a_planned_run_edited_after_it_was_written_is_named(tmp_path):
    from hil.campaign.specs import identity_of

    spec = {"scenario": {"name": "s"}, "fault": {"at_h": 2.0}, "seed": 1}
    planned = {"kind": "planned", "index": 0, "run_id": identity_of(spec), "spec": spec}
    write_journal(tmp_path, json.dumps(planned).encode(), {**HEADER, "runs_planned": 1})
    assert Journal.open(tmp_path).planned[0].run_id == identity_of(spec)
    planned["spec"] = {**spec, "fault": {"at_h": 230.0}}  # the run would run another plan under the old identity
    write_journal(tmp_path, json.dumps(planned).encode(), {**HEADER, "runs_planned": 1})
    with pytest.raises(JournalError, match=r"the planned run\(s\) 0 no longer match their run_id"):
        Journal.open(tmp_path)


def test_a_resume_with_other_code_is_named_in_the_software_the_campaign_ran_with(tmp_path):
    from hil.campaign.journal import RESUMED

    header = {**HEADER, "tool_version": "0.1.0", "git_revision": "aaa"}
    (tmp_path / JOURNAL_FILENAME).write_bytes(json.dumps(header).encode() + b"\n")
    journal = Journal.open(tmp_path)
    assert journal.software() == ["itpump 0.1.0 at aaa"]
    journal.append({"kind": RESUMED, "runs_missing": 1, "tool_version": "0.1.0", "git_revision": "aaa"})
    journal.append({"kind": RESUMED, "runs_missing": 1, "tool_version": "0.1.0", "git_revision": "bbb-dirty"})
    assert Journal.open(tmp_path).software() == journal.software() == ["itpump 0.1.0 at aaa",
                                                                       "itpump 0.1.0 at bbb-dirty"]
