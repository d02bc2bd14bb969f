"""The shape each campaign.jsonl line must have before anything reads it: every key the summary and the outputs
read, with its JSON type. A line that parses as JSON but lacks a key, or holds a value of another type, is named by
its key path (`fault.detected`, `unsafe[0].rule`) so that Journal.open can refuse it naming the file and the line,
never a bare KeyError or TypeError further on.

    problem = line_problem(line)        # None, or "key 'outcome' is missing"
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from firmware_sim.outcome import Outcome

OUTCOMES = tuple(outcome.value for outcome in Outcome)


@dataclass(frozen=True)
class Expected:
    """One key of a line: its JSON types (None for null), whether it must be there, and for an object (or each
    object of a list) the keys it must hold in turn."""

    types: tuple[type | None, ...]
    required: bool = True
    keys: Mapping[str, Expected] | None = None
    values: Mapping[str, Expected] | None = None
    """For an object whose keys are names (envelopes by name): what each value must hold."""
    one_of: tuple[str, ...] = ()


_TYPE_NAMES: dict[type | None, str] = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
                                       dict: "an object", list: "a list", None: "null"}
NUMBER = (int, float)

FAULT_KEYS = {"label": Expected((str,)), "injected": Expected((bool,)), "detected": Expected((bool,)),
              "alarm": Expected((str, None)), "time_to_detection_h": Expected((*NUMBER, None))}
PATIENT_ENVELOPE_KEYS = {"n_patients": Expected((int,)), "n_passing": Expected((int,)),
                         "outcome": Expected((str,), one_of=OUTCOMES), "quantiles": Expected((list, None))}
FINISHED_KEYS: dict[str, Expected] = {
    "run_id": Expected((str,)), "index": Expected((int,)), "folder": Expected((str, None)),
    "scenario": Expected((str,)), "rig": Expected((str,)), "fault_plan": Expected((str,)),
    "repetition": Expected((int,)), "record_lost": Expected((bool,)), "lost_reason": Expected((str, None)),
    "outcome": Expected((str,), one_of=OUTCOMES), "reason": Expected((str,)),
    "judged": Expected((bool,), required=False), "record_sha256": Expected((str, None), required=False),
    "line_sha256": Expected((str,), required=False),
    "fault": Expected((dict, None), keys=FAULT_KEYS),
    "envelopes": Expected((list,), keys={"name": Expected((str,)), "outcome": Expected((str,))}),
    "unsafe": Expected((list,), keys={"rule": Expected((str,)), "detail": Expected((str,))}),
    "dose": Expected((dict, None), required=False), "alarms": Expected((list,), required=False),
    "patients": Expected((dict, None), keys={"envelopes": Expected((dict, None), required=False,
                                                                   values=PATIENT_ENVELOPE_KEYS)}),
}
PLANNED_KEYS = {"index": Expected((int,)), "run_id": Expected((str,)), "spec": Expected((dict,))}
HEADER_KEYS = {"runs_planned": Expected((int,)), "plan_sha256": Expected((str,), required=False),
               "journal_format": Expected((int,), required=False)}
SHAPES: dict[str, dict[str, Expected]] = {"campaign": HEADER_KEYS, "planned": PLANNED_KEYS,
                                          "finished": FINISHED_KEYS, "resumed": {}}


def _type_ok(value: object, types: tuple[type | None, ...]) -> bool:
    if value is None:
        return None in types
    if isinstance(value, bool):  # a JSON true is no integer
        return bool in types
    return any(t is not None and isinstance(value, t) for t in types)


def _wrong(key: str, value: object, expected: Expected) -> str:
    wanted = " or ".join(_TYPE_NAMES[t] for t in expected.types)
    return f"key {key!r} must be {wanted}, not {value!r}"


def _problem(key: str, value: object, expected: Expected) -> str | None:
    if not _type_ok(value, expected.types):
        return _wrong(key, value, expected)
    if expected.one_of and value not in expected.one_of:
        return f"key {key!r} must be one of {', '.join(expected.one_of)}, not {value!r}"
    if isinstance(value, dict) and expected.keys is not None:
        return _object_problem(value, expected.keys, f"{key}.")
    if isinstance(value, dict) and expected.values is not None:
        for name, item in value.items():
            problem = _object_problem(item, expected.values, f"{key}.{name}.") if isinstance(item, dict) \
                else _wrong(f"{key}.{name}", item, Expected((dict,)))
            if problem:
                return problem
    if isinstance(value, list) and expected.keys is not None:
        for position, item in enumerate(value):
            problem = _object_problem(item, expected.keys, f"{key}[{position}].") if isinstance(item, dict) \
                else _wrong(f"{key}[{position}]", item, Expected((dict,)))
            if problem:
                return problem
    return None


def _object_problem(line: Mapping[str, Any], keys: Mapping[str, Expected], prefix: str = "") -> str | None:
    for key, expected in keys.items():
        if key not in line:
            if expected.required:
                return f"key {prefix + key!r} is missing"
            continue
        problem = _problem(prefix + key, line[key], expected)
        if problem:
            return problem
    return None


def line_problem(line: Mapping[str, Any]) -> str | None:
    """What is wrong with the shape of a campaign.jsonl line (its kind known), or None. A kind no writer writes is
    named too."""
    keys = SHAPES.get(str(line.get("kind")))
    if keys is None:
        return f"its kind {line.get('kind')!r} is none of {', '.join(SHAPES)}"
    problem = _object_problem(line, keys)
    if problem is None and line["kind"] == "campaign" and line["runs_planned"] < 0:
        return f"key 'runs_planned' must not be negative, not {line['runs_planned']}"
    return problem
