"""finite_number against a reference written the straightforward way (the non-finite spellings checked first, then
the plain decimal): the same value, or the same error type and message, for any text."""
from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import FramingError, NonFiniteValue
from drivers.reply_numbers import finite_number

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)


def reference(text: str, field: str, reply: str) -> float:
    if _NON_FINITE.fullmatch(text):
        raise NonFiniteValue(field, text, reply)
    if not _DECIMAL.fullmatch(text):
        shown = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
        raise FramingError(f"{field} is {shown!r}, not a decimal number, in the reply {reply[:120]!r}")
    value = float(text)
    if not math.isfinite(value):
        raise NonFiniteValue(field, text, reply)
    return value


def outcome(parse, text: str) -> tuple[str, object]:  # noqa: ANN001
    try:
        return "value", parse(text, "MPos axis 0", f"<Run|MPos:{text}>")
    except (FramingError, NonFiniteValue) as exc:
        return type(exc).__name__, str(exc)


NUMBER_TEXT = st.one_of(
    st.from_regex(r"\A[+-]?(\d{0,12}\.?\d{0,12}|\d{300,420})\Z"),
    st.sampled_from(["nan", "-Inf", "+infinity", "1e5", "1_000", " 1", "1.2.3", "", ".", "-", "0x10", "١٢"]),
    st.text(alphabet="0123456789.+-eEnaifINF _", max_size=20),
)


@pytest.mark.requirements("SR-DRV-009")
@settings(max_examples=400, deadline=None)
@given(NUMBER_TEXT)
def test_finite_number_accepts_and_rejects_exactly_as_the_reference(text):
    assert outcome(finite_number, text) == outcome(reference, text)


@pytest.mark.requirements("SR-DRV-009")
@pytest.mark.parametrize("text, error", [("nan", NonFiniteValue), ("9" * 400, NonFiniteValue), ("1e999", FramingError),
                                         ("1.25", None), ("-.5", None)])
def test_finite_number_examples(text, error):
    if error is None:
        assert finite_number(text, "f", "r") == float(text)
    else:
        with pytest.raises(error):
            finite_number(text, "f", "r")
