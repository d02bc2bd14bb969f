"""The event vocabulary of record.jsonl: the contract between the runner (writer) and the outputs (readers).

Every line is one JSON object with `event` (one of EVENT_KINDS) and the fields below; units are in the
field names. Times are `t_s`, seconds since the run's t=0 (scenario time, virtual or wall). Each line also
carries `chain` (hil.records.integrity), which the reader checks and removes.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

RUN_STARTED = "run_started"
STEP = "step"
FIRMWARE_EVENT = "firmware_event"
ALARM = "alarm"
VOLUME_SAMPLE = "volume_sample"
BALANCE_SAMPLE = "balance_sample"
PK_SERIES = "pk_series"
ENVELOPE = "envelope"
EXPECTATION = "expectation"
RUN_FINISHED = "run_finished"
DRUG_LIMITS = "drug_limits"
"""Written right after run_started: the drug library used and every scenario override of its limits."""
INTERRUPT = "interrupt"
"""The operator interrupted the run (Ctrl-C): phase and what was done. Written before run_finished (which is then
ERROR) or, if the interrupt came while the outputs were rendered, after it (the run is then ERROR)."""
RIG_OPENED = "rig_opened"
"""Written once the rig is open: the ports each device was found on and what it reported about itself (pump
model and firmware version, balance serial number) and what opening it found and dealt with (findings, e.g. a
watchdog alarm a previous host left on the pump)."""
STOPPED_ON_ALARM = "stopped_on_alarm"
"""The run was ended by --stop-on-alarm: the alarm, its priority and when it latched, the threshold, what stopping
the pump did. Written before run_finished (which is then ERROR, naming the alarm)."""
POPULATION_VERDICT = "population_verdict"
"""The scenario's virtual patients (scenario `patients`): every envelope judged for each patient
(firmware_sim.pk.population_verdict.PopulationVerdict.to_dict()) and the p5/p50/p95 bands of each PK output at the
delivered series' sample times (`bands`: {output name: {"p5": [...], "p50": [...], "p95": [...]}}, with `t_h`).
Written after the envelopes, before run_finished."""

OUTCOMES: tuple[str, ...] = ("PASS", "FAIL", "ERROR")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _or_null(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


def _list_of(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, list) and all(check(v) for v in value)


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _bool(value: Any) -> bool:
    return isinstance(value, bool)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dict(value: Any) -> bool:
    return isinstance(value, dict)


TYPE_NAMES: dict[Callable[[Any], bool], str] = {
    _number: "a number", _str: "a string", _bool: "true or false", _int: "an integer", _dict: "an object"}
NUMBER_OR_NULL, STR_OR_NULL, STRINGS = _or_null(_number), _or_null(_str), _list_of(_str)
TYPE_NAMES.update({NUMBER_OR_NULL: "a number or null", STR_OR_NULL: "a string or null", STRINGS: "a list of strings"})
NUMBERS = _list_of(_or_null(_number))
TYPE_NAMES[NUMBERS] = "a list of numbers"

# Required fields per event kind, with the type each must have (more fields are allowed).
REQUIRED_FIELDS: dict[str, dict[str, Callable[[Any], bool]]] = {
    RUN_STARTED: {"run_id": _str, "scenario_name": _str, "rig_id": _str, "config_sha256": _dict,
                  "git_revision": _str, "seeds": _dict, "tool_version": _str, "time_compression_factor": _number,
                  "clock": _str, "started_utc": _str},
    STEP: {"t_s": _number, "index": _int, "action": _str, "params": _dict, "decision": _str, "reasons": STRINGS,
           "requirement_ids": STRINGS},
    FIRMWARE_EVENT: {"t_s": _number, "kind": _str, "fields": _dict},
    ALARM: {"t_s": _number, "name": _str, "priority": _str},
    VOLUME_SAMPLE: {"t_s": _number, "commanded_ul": _number, "pump_reported_ul": NUMBER_OR_NULL,
                    "gravimetric_ul": NUMBER_OR_NULL, "rate_ul_per_h": _number},
    BALANCE_SAMPLE: {"t_s": _number, "mass_g": _number, "stable": _bool},
    PK_SERIES: {"label": _str, "t_h": NUMBERS, "lumbar_csf_ng_per_ml": NUMBERS, "cisternal_csf_ng_per_ml": NUMBERS,
                "plasma_ng_per_ml": NUMBERS},
    ENVELOPE: {"name": _str, "passed": _bool, "value": NUMBER_OR_NULL, "limit": NUMBER_OR_NULL, "unit": _str,
               "requirement_ids": STRINGS, "reason": _str},
    EXPECTATION: {"name": _str, "passed": _bool, "detail": _str, "requirement_ids": STRINGS},
    RUN_FINISHED: {"outcome": _str, "reason": _str},
    INTERRUPT: {"phase": _str, "detail": _str},
    STOPPED_ON_ALARM: {"t_s": _number, "alarm": _str, "priority": _str, "alarm_t_s": _number, "stop_on_alarm": _str,
                       "detail": _str},
    DRUG_LIMITS: {"drug_name": _str, "library_file": _str, "overrides": _list_of(_dict),
                  "acknowledge_beyond_label": STR_OR_NULL},
    RIG_OPENED: {"ports": _dict, "devices": _dict},
    POPULATION_VERDICT: {"n_patients": _int, "seed": _int, "horizon_h": _number, "min_fraction_passing": _number,
                         "outcome": _str, "envelopes": _list_of(_dict)},
}
OPTIONAL_FIELDS: dict[str, dict[str, Callable[[Any], bool]]] = {
    RUN_STARTED: {"balance_density_g_per_ml": NUMBER_OR_NULL, "balance_evaporation_rate_mg_per_h": NUMBER_OR_NULL,
                  "balance_sample_interval_s": NUMBER_OR_NULL, "duration_h": _number, "supervision_period_s": _number,
                  "scenario_requirement_ids": STRINGS,
                  "scenario_description": _str, "pass_means": _str, "planned_steps": _list_of(_dict),
                  "planned_expectations": STRINGS, "operator": STR_OR_NULL, "dut_id": STR_OR_NULL,
                  "git_dirty": _or_null(_bool), "dependency_versions": _dict, "trumpet_limits": _dict},
    STEP: {"expected_decision": STR_OR_NULL, "decision_requirement_ids": STRINGS},
    ENVELOPE: {"outcome": _str, "comparator": STR_OR_NULL, "details": _dict},
    PK_SERIES: {"sustained_program": _list_of(_dict)},
    POPULATION_VERDICT: {"t_h": NUMBERS, "bands": _dict},
    RIG_OPENED: {"findings": STRINGS},
}
"""Fields the outputs read where present: checked for type when they are there."""
EVENT_KINDS: tuple[str, ...] = tuple(REQUIRED_FIELDS)


class RecordFormatError(ValueError):
    """A record line is not a known event, lacks a field or has a field of the wrong type."""


def event_problem(event: dict[str, Any]) -> str | None:
    """What is wrong with one event (None: a well-formed event of a known kind)."""
    kind = event.get("event")
    if not isinstance(kind, str) or kind not in REQUIRED_FIELDS:
        return f"unknown event kind {kind!r}; known: {', '.join(EVENT_KINDS)}"
    missing = [name for name in REQUIRED_FIELDS[kind] if name not in event]
    if missing:
        return f"{kind} event lacks {', '.join(missing)}"
    for fields in (REQUIRED_FIELDS[kind], OPTIONAL_FIELDS.get(kind, {})):
        for name, check in fields.items():
            if name in event and not check(event[name]):
                return f"{kind} field {name} is {_short(event[name])}, not {TYPE_NAMES[check]}"
    if kind == RUN_FINISHED and event["outcome"] not in OUTCOMES:
        return f"run_finished outcome {event['outcome']!r} is not one of {', '.join(OUTCOMES)}"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate_event(event: dict[str, Any], where: str = "") -> dict[str, Any]:
    problem = event_problem(event)
    if problem is not None:
        raise RecordFormatError(f"{where}{problem}")
    return event
