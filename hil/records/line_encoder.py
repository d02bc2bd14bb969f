"""The record writer's fast path: one precomputed encoder per event class, for the lines written every supervision
tick (a volume sample and the firmware's status event), byte for byte the line the general path writes.

The general path (hil.records.event_fields.json_fields, then a compact json.JSONEncoder) builds the field dict,
checks it against the field table and encodes it. For an event whose every value is of a type its field accepts
(a finite float or an int for a number, a str for a string, True/False for a boolean, None where the field may be
null or is written only if set, a plain dict for an object), the checks cannot fail: the dataclass guarantees every
required field is there, and each value's type is one its field's check accepts. Such an event is encoded here
field by field, each value as the JSON encoder writes it (float.__repr__, int.__repr__, the ASCII-escaped string,
null/true/false; a dict through json_safe and the same encoder). Anything else returns None and takes the general
path, which writes it the same way or raises RecordFormatError naming the field: an extra field, a tuple, NaN in a
field that may not be null, a numpy number, a value of the wrong type. The kinds whose values are checked beyond their
types (hil.records.event_fields.VALUE_CHECKS: the outcome of run_finished and of an envelope, a population verdict's
envelopes) always take the general path.

    encoded = encode_line(event)   # (body without chain, the fields as written) or None: use the general path
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from typing import Any

from hil.records.event_fields import FIELDS, VALUE_CHECKS, FieldSpec, json_safe
from hil.records.event_types import EVENT_CLASSES, RecordEvent

ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
"""The compact encoder of every line (json.dumps with these options builds a new one per call)."""

Encoded = tuple[str, dict[str, Any]]
_float_repr, _int_repr, _isfinite = float.__repr__, int.__repr__, math.isfinite


class _Field:
    """One field's part of a line: its `,"name":` prefix and which plain value types its check accepts."""
    __slots__ = ("boolean", "if_set", "integer", "mapping", "name", "null", "number", "prefix", "string")

    def __init__(self, spec: FieldSpec) -> None:
        self.name, self.if_set = spec.name, spec.if_set
        self.prefix = "," + encode_basestring_ascii(spec.name) + ":"
        check = spec.check  # the checks test the JSON type only, so one value of a type stands for all of them
        self.number, self.integer, self.string = check(0.5), check(1), check("")
        self.boolean, self.null, self.mapping = check(True), check(None), check({})


def _flat_object(mapping: dict[Any, Any]) -> str | None:
    """The JSON object of a dict of str keys and plain values (finite float, str, int, bool, None); None otherwise."""
    parts = []
    for key, value in mapping.items():
        kind_of = type(value)
        if kind_of is float:
            if not _isfinite(value):
                return None
            text = _float_repr(value)
        elif kind_of is str:
            text = encode_basestring_ascii(value)
        elif value is None:
            text = "null"
        elif kind_of is bool:
            text = "true" if value else "false"
        elif kind_of is int:
            text = _int_repr(value)
        else:
            return None
        if type(key) is not str:
            return None
        parts.append(encode_basestring_ascii(key) + ":" + text)
    return "{" + ",".join(parts) + "}"


def _compiled(kind: str) -> Callable[[RecordEvent], Encoded | None]:
    head = '{"event":' + encode_basestring_ascii(kind)
    fields = tuple(_Field(spec) for spec in FIELDS[kind])

    def encode(event: RecordEvent) -> Encoded | None:
        if event.extra:
            return None
        written: dict[str, Any] = {"event": kind}
        parts = [head]
        for f in fields:
            value = getattr(event, f.name)
            kind_of = type(value)
            if kind_of is float:
                if not _isfinite(value):
                    if not f.null:
                        return None
                    parts += (f.prefix, "null")
                    written[f.name] = None
                    continue
                if not f.number:
                    return None
                text = _float_repr(value)
            elif value is None:
                if f.if_set:
                    continue
                if not f.null:
                    return None
                text = "null"
            elif isinstance(value, str):  # a StrEnum too: written as its string, kept as it is in the fields
                if not f.string:
                    return None
                text = encode_basestring_ascii(value)
            elif kind_of is bool:
                if not f.boolean:
                    return None
                text = "true" if value else "false"
            elif kind_of is int:
                if not f.integer:
                    return None
                text = _int_repr(value)
            elif kind_of is dict and f.mapping:
                flat = _flat_object(value)
                if flat is None:  # nested or unusual values: json_safe, as the general path does
                    value = json_safe(value)
                    text = ENCODER.encode(value)
                else:
                    text, value = flat, dict(value)  # the general path writes a copy too
            else:
                return None
            parts += (f.prefix, text)
            written[f.name] = value
        parts.append("}")
        return "".join(parts), written

    return encode


_ENCODERS: dict[type[RecordEvent], Callable[[RecordEvent], Encoded | None]] = {
    cls: _compiled(kind) for kind, cls in EVENT_CLASSES.items() if kind not in VALUE_CHECKS}


def encode_line(event: RecordEvent) -> Encoded | None:
    """(the line's JSON body without its chain, the fields as written) on the fast path; None: the event needs the
    general path (json_fields, then ENCODER), which writes the same bytes or raises RecordFormatError."""
    encoder = _ENCODERS.get(type(event))
    return encoder(event) if encoder is not None else None
