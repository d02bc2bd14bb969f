"""The field table of record.jsonl, derived from the event dataclasses (hil.records.event_types): which fields each
kind requires, which it may carry, the JSON type each must have, and the way between an event and its line's fields.

    fields = json_fields(VolumeSample(t_s=30.0, ...))   # {"event": "volume_sample", "t_s": 30.0, ...}, checked
    event = event_from_fields(fields, where="record.jsonl line 3: ")   # back to a VolumeSample
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from hil.records.event_types import ENVELOPE_OUTCOMES, EVENT_CLASSES, IF_SET, OUTCOMES, RecordEvent, RecordKind

Check = Callable[[Any], bool]
EXTRA = "extra"
"""The dataclass field that holds the fields a kind does not declare."""
RESERVED = ("event", "chain")
"""Keys of a line that are not event fields: the kind and the chain (hil.records.integrity)."""


class RecordFormatError(ValueError):
    """A record line is not a known event, lacks a field or has a field of the wrong type."""


def _number(value: Any) -> bool:
    kind = type(value)  # float and int first: the check runs for every number of every line read or written
    return kind is float or kind is int or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SCALARS: dict[Any, tuple[Check, str, str]] = {
    float: (_number, "a number", "numbers"),
    int: (_int, "an integer", "integers"),
    str: (lambda value: isinstance(value, str), "a string", "strings"),
    bool: (lambda value: isinstance(value, bool), "true or false", "booleans"),
    Mapping: (lambda value: isinstance(value, dict), "an object", "objects"),
}


def _without_none(annotation: Any) -> Any:
    """X of `X | None` (None: annotation is not an optional type)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (types.UnionType, typing.Union) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return inner
    return None


def _check_of(annotation: Any) -> tuple[Check, str, str]:
    """(check of a JSON value, its name, the plural for lists) of a field's type."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    inner = _without_none(annotation)
    if inner is not None:
        check, name, plural = _check_of(inner)
        return (lambda value: value is None or check(value)), f"{name} or null", plural
    if origin is tuple:
        check, _, plural = _check_of(args[0])
        return (lambda value: isinstance(value, list) and all(check(v) for v in value)), f"a list of {plural}", plural
    return _SCALARS[origin or annotation]


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One field of an event kind's lines, as its dataclass declares it."""
    name: str
    check: Check
    type_name: str
    required: bool
    if_set: bool
    sequence: bool
    """A tuple field: a JSON list, read back as a tuple."""


def fields_of(cls: type[RecordEvent]) -> tuple[FieldSpec, ...]:
    """The line fields of an event class, in the order they are written, from its dataclass fields."""
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        if f.name == EXTRA:
            continue
        annotation = hints[f.name]
        if_set = bool(f.metadata.get(IF_SET))
        if if_set:  # None means absent: when present, the value is of the type without None
            annotation = _without_none(annotation)
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        check, type_name, _ = _check_of(annotation)
        sequence = typing.get_origin(_without_none(annotation) or annotation) is tuple
        found.append(FieldSpec(f.name, check, type_name, required, if_set, sequence))
    return tuple(found)


FIELDS: dict[str, tuple[FieldSpec, ...]] = {kind: fields_of(cls) for kind, cls in EVENT_CLASSES.items()}
EVENT_KINDS: tuple[str, ...] = tuple(EVENT_CLASSES)
REQUIRED_FIELDS: dict[str, dict[str, Check]] = {
    kind: {f.name: f.check for f in fields if f.required} for kind, fields in FIELDS.items()}
"""Required fields per event kind, with the check of the JSON type each must have (more fields are allowed)."""
OPTIONAL_FIELDS: dict[str, dict[str, Check]] = {
    kind: {f.name: f.check for f in fields if not f.required} for kind, fields in FIELDS.items()}
"""Fields a kind may carry (older records lack them): checked for type when they are there."""
_WRITTEN: dict[type[RecordEvent], tuple[tuple[str, bool], ...]] = {
    EVENT_CLASSES[kind]: tuple((f.name, f.if_set) for f in fields) for kind, fields in FIELDS.items()}
"""Per class: (field name, written only when set), in the order the line carries them."""
_NOT_EXTRA: dict[type[RecordEvent], frozenset[str]] = {
    cls: frozenset(name for name, _ in written) | set(RESERVED) for cls, written in _WRITTEN.items()}


_REQUIRED: dict[str, tuple[str, ...]] = {kind: tuple(REQUIRED_FIELDS[kind]) for kind in FIELDS}
_REQUIRED_SET: dict[str, frozenset[str]] = {kind: frozenset(names) for kind, names in _REQUIRED.items()}
_CHECKS: dict[str, tuple[tuple[str, Check, str], ...]] = {
    kind: tuple((f.name, f.check, f.type_name) for f in fields) for kind, fields in FIELDS.items()}
"""Per kind, the table flattened for the writer's per-line check (about 2 lines per supervision tick)."""


def _outcome_problem(event: Mapping[str, Any]) -> str | None:
    if event["outcome"] not in OUTCOMES:
        return f"run_finished outcome {event['outcome']!r} is not one of {', '.join(OUTCOMES)}"
    return None


def _envelope_outcome_problem(event: Mapping[str, Any]) -> str | None:
    outcome = event.get("outcome")  # older records: none (PASS or FAIL from `passed`)
    if outcome is not None and outcome not in ENVELOPE_OUTCOMES:
        return f"envelope outcome {outcome!r} is not one of {', '.join(ENVELOPE_OUTCOMES)}"
    return None


POPULATION_ENVELOPE_KEYS = ("name", "unit", "limit", "requirement_ids", "n_patients", "n_passing", "n_not_evaluated",
                            "min_fraction_passing", "outcome", "reason")
"""What every output reads of a population_verdict's envelope (PopulationEnvelope.to_dict())."""


def _population_problem(event: Mapping[str, Any]) -> str | None:
    if event["outcome"] not in ENVELOPE_OUTCOMES:
        return f"population_verdict outcome {event['outcome']!r} is not one of {', '.join(ENVELOPE_OUTCOMES)}"
    for i, envelope in enumerate(event["envelopes"]):
        missing = [key for key in POPULATION_ENVELOPE_KEYS if key not in envelope]
        if missing:
            return f"population_verdict envelopes[{i}] lacks {', '.join(missing)}"
        if envelope["outcome"] not in ENVELOPE_OUTCOMES:
            return (f"population_verdict envelopes[{i}] outcome {envelope['outcome']!r} is not one of "
                    f"{', '.join(ENVELOPE_OUTCOMES)}")
    return None


VALUE_CHECKS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    RecordKind.RUN_FINISHED: _outcome_problem, RecordKind.ENVELOPE: _envelope_outcome_problem,
    RecordKind.POPULATION_VERDICT: _population_problem}
"""Kinds whose fields are checked beyond their JSON types (the problem, or None), after the type checks. The writer's
per-class encoder (hil.records.line_encoder) checks types only: it leaves the events of these kinds to the general
path."""


def event_problem(event: Mapping[str, Any]) -> str | None:
    """What is wrong with one event's fields (None: a well-formed event of a known kind)."""
    kind = event.get("event")
    if not isinstance(kind, str) or kind not in FIELDS:
        return f"unknown event kind {kind!r}; known: {', '.join(EVENT_KINDS)}"
    if not event.keys() >= _REQUIRED_SET[kind]:
        missing = [name for name in _REQUIRED[kind] if name not in event]
        return f"{kind} event lacks {', '.join(missing)}"
    for name, check, type_name in _CHECKS[kind]:
        if name in event and not check(event[name]):
            return f"{kind} field {name} is {_short(event[name])}, not {type_name}"
    value_check = VALUE_CHECKS.get(kind)
    return value_check(event) if value_check is not None else None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate_event(event: Mapping[str, Any], where: str = "") -> None:
    """RecordFormatError, prefixed with `where` (e.g. "record.jsonl line 7: "), naming what event_problem finds."""
    problem = event_problem(event)
    if problem is not None:
        raise RecordFormatError(f"{where}{problem}")


def json_fields(event: RecordEvent) -> dict[str, Any]:
    """The line's fields of an event ("event" first, then the declared fields, then extra), as JSON values (NaN and
    inf as null, tuples and numpy arrays as lists), checked: RecordFormatError names what is wrong."""
    written = _WRITTEN.get(type(event))
    if written is None:
        raise RecordFormatError(f"{type(event).__name__} is not a record event; known: {', '.join(EVENT_KINDS)}")
    fields: dict[str, Any] = {"event": event.KIND.value}
    for name, only_if_set in written:
        value = getattr(event, name)
        if type(value) is float:  # the common case first: most fields are numbers
            fields[name] = value if math.isfinite(value) else None
        elif value is not None or not only_if_set:
            fields[name] = json_safe(value)
    if event.extra:
        not_extra = _NOT_EXTRA[type(event)]
        for name, value in event.extra.items():
            if name in not_extra:
                raise RecordFormatError(f"{event.KIND.value} extra field {name!r} is a field of the event or the "
                                        f"record")
            fields[name] = json_safe(value)
    validate_event(fields)
    return fields


_PLAIN = (str, int, type(None))
"""Values written as they are (bool is an int)."""


def json_safe(value: Any) -> Any:
    """NaN/inf are not JSON: written as null (a missing measurement), never as invalid JSON."""
    if isinstance(value, float):  # the common case first: most fields are numbers
        return value if math.isfinite(value) else None
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return json_safe(value.tolist())
    if isinstance(value, Mapping):
        return json_safe(dict(value))
    return value


def event_from_fields(fields: Mapping[str, Any], where: str = "") -> RecordEvent:
    """The event of one line's fields (its chain removed). RecordFormatError, prefixed with `where` (e.g.
    "record.jsonl line 7: "), names the unknown kind, the missing field or the field of the wrong type."""
    validate_event(fields, where)
    return event_from_checked_fields(dict(fields))


_BUILD: dict[str, tuple[type[RecordEvent], frozenset[str], tuple[str, ...]]] = {
    kind: (EVENT_CLASSES[kind], frozenset(f.name for f in fields), tuple(f.name for f in fields if f.sequence))
    for kind, fields in FIELDS.items()}
"""Per kind: its class, its declared field names, those of them that are tuples (JSON lists)."""


def event_from_checked_fields(fields: dict[str, Any]) -> RecordEvent:
    """The event of one line's fields that event_problem found well-formed, not checked again (the reader checked each
    line as it read it). Takes the dict over: its kind is removed and its lists become tuples."""
    cls, declared, sequences = _BUILD[fields.pop("event")]
    for name in sequences:
        value = fields.get(name)
        if value is not None:
            fields[name] = tuple(value)
    if fields.keys() <= declared:  # the common case (every volume sample and firmware event): no extra field
        return cls(**fields)
    extra = {k: v for k, v in fields.items() if k not in declared and k not in RESERVED}
    return cls(**{k: v for k, v in fields.items() if k in declared}, extra=extra)
