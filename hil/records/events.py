"""The event vocabulary of record.jsonl: the contract between the runner (writer) and the outputs (readers).

Every line is one JSON object with `event` (one of EVENT_KINDS) and the fields below; units are in the
field names. Times are `t_s`, seconds since the run's t=0 (scenario time, virtual or wall).
"""
from __future__ import annotations

from typing import Any

RUN_STARTED = "run_started"
RIG_OPENED = "rig_opened"
STEP = "step"
FIRMWARE_EVENT = "firmware_event"
ALARM = "alarm"
VOLUME_SAMPLE = "volume_sample"
BALANCE_SAMPLE = "balance_sample"
PK_SERIES = "pk_series"
ENVELOPE = "envelope"
EXPECTATION = "expectation"
RUN_FINISHED = "run_finished"

OUTCOMES: tuple[str, ...] = ("PASS", "FAIL", "ERROR")

# Required fields per event kind (more fields are allowed).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    RUN_STARTED: ("run_id", "scenario_name", "rig_id", "config_sha256", "git_revision", "seeds", "tool_version",
                  "time_compression_factor", "clock", "started_utc"),
    RIG_OPENED: ("findings",),  # what opening the rig found and dealt with (e.g. a leftover pump alarm)
    STEP: ("t_s", "index", "action", "params", "decision", "reasons", "requirement_ids"),
    FIRMWARE_EVENT: ("t_s", "kind", "fields"),
    ALARM: ("t_s", "name", "priority"),
    VOLUME_SAMPLE: ("t_s", "commanded_ul", "pump_reported_ul", "gravimetric_ul", "rate_ul_per_h"),
    BALANCE_SAMPLE: ("t_s", "mass_g", "stable"),
    PK_SERIES: ("label", "t_h", "lumbar_csf_ng_per_ml", "cisternal_csf_ng_per_ml", "plasma_ng_per_ml"),
    ENVELOPE: ("name", "passed", "value", "limit", "unit", "requirement_ids", "reason"),
    EXPECTATION: ("name", "passed", "detail", "requirement_ids"),
    RUN_FINISHED: ("outcome", "reason"),
}
EVENT_KINDS: tuple[str, ...] = tuple(REQUIRED_FIELDS)


class RecordFormatError(ValueError):
    """A record line is not a known event or lacks a field."""


def validate_event(event: dict[str, Any], where: str = "") -> dict[str, Any]:
    kind = event.get("event")
    if kind not in REQUIRED_FIELDS:
        raise RecordFormatError(f"{where}unknown event kind {kind!r}; known: {', '.join(EVENT_KINDS)}")
    missing = [name for name in REQUIRED_FIELDS[kind] if name not in event]
    if missing:
        raise RecordFormatError(f"{where}{kind} event lacks {', '.join(missing)}")
    if kind == RUN_FINISHED and event["outcome"] not in OUTCOMES:
        raise RecordFormatError(f"{where}run_finished outcome {event['outcome']!r} is not one of {OUTCOMES}")
    return event
