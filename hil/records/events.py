"""The event vocabulary of record.jsonl: the contract between the runner (writer) and the outputs (readers).

Every line is one JSON object with `event` (one of EVENT_KINDS) and the fields of that kind's dataclass
(hil.records.event_types: RunStarted, Step, VolumeSample ...); units are in the field names. Times are `t_s`,
seconds since the run's t=0 (scenario time, virtual or wall). Each line also carries `chain`
(hil.records.integrity), which the reader checks and removes. The field table (REQUIRED_FIELDS, OPTIONAL_FIELDS) is
derived from the dataclasses (hil.records.event_fields).

    record.write(ev.Alarm(t_s=5.0, name="occlusion", priority="high"))
    alarms = run_record.typed(ev.Alarm)    # list[Alarm], read with hil.records.reader.read_record
"""
from __future__ import annotations

from hil.records.event_fields import (EVENT_KINDS, OPTIONAL_FIELDS, REQUIRED_FIELDS, RecordFormatError,
                                      event_from_checked_fields, event_from_fields, event_problem, json_fields,
                                      validate_event)
from hil.records.event_types import (EVENT_CLASSES, OUTCOMES, PK_SERIES_OUTPUTS, Alarm, BalanceSample,
                                     DrugLimitsEvent, Envelope, Expectation, FirmwareEvent, Interrupt, PkSeries,
                                     PopulationVerdictEvent, RecordEvent, RecordKind, RigOpened, RunFinished,
                                     RunStarted, Step, StoppedOnAlarm, VolumeSample, recorded_outcome)

__all__ = [
    "EVENT_CLASSES", "EVENT_KINDS", "OPTIONAL_FIELDS", "OUTCOMES", "PK_SERIES_OUTPUTS", "REQUIRED_FIELDS", "Alarm",
    "BalanceSample", "DrugLimitsEvent", "Envelope", "Expectation", "FirmwareEvent", "Interrupt", "PkSeries",
    "PopulationVerdictEvent", "RecordEvent", "RecordFormatError", "RecordKind", "RigOpened", "RunFinished",
    "RunStarted", "Step", "StoppedOnAlarm", "VolumeSample", "event_from_checked_fields", "event_from_fields",
    "event_problem", "json_fields", "recorded_outcome", "validate_event",
]
