"""Pieces shared by the rig and scenario schemas."""
from __future__ import annotations

import math
import re
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

REQUIREMENT_ID_PATTERN = r"^SR-[A-Z0-9]+(-[A-Z0-9]+)*$"
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"
EMULATOR_URL_PREFIX = "emulator:"
T = TypeVar("T")


class StrictModel(BaseModel):
    """Unknown keys are errors; loaded configuration is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _not_a_boolean(value: T) -> T:
    """A number field takes neither a boolean nor a string: a quoted "300" or "1e3" is a typo kept in quotes, and
    read leniently it would pass as whatever the string converts to."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"expected a number, got the string {value!r} (numbers are written without quotes)")
    return value


def _a_boolean(value: T) -> T:
    """A flag takes true or false only: read leniently, a quoted "off", "no" or 0 would switch a check off."""
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _finite_number(value: T) -> T:
    """NaN compares false with every bound, so without this the first bound checked named it ("less than or equal to
    250 (got nan)")."""
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    return _not_a_boolean(value)


Number = Annotated[float, BeforeValidator(_finite_number), Field(allow_inf_nan=False)]
"""Every real-valued config field: finite (no .inf, .nan), never a boolean or a string; add bounds with
Field(gt=..., le=...)."""
WholeNumber = Annotated[int, BeforeValidator(_not_a_boolean)]
"""Every integer config field: never a boolean or a string."""
Flag = Annotated[bool, BeforeValidator(_a_boolean)]
"""Every yes/no config field: YAML true or false, never a string or a number."""

RequirementId = Annotated[str, Field(pattern=REQUIREMENT_ID_PATTERN)]
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]


def _unique(values: list[str]) -> list[str]:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise ValueError(f"duplicate entries: {', '.join(duplicates)}")
    return values


RequirementIds = Annotated[list[RequirementId], AfterValidator(_unique)]


def emulator_reference(url_or_resource: str) -> str | None:
    """'emulator:pump' -> 'pump'; anything else (a device path, socket://, a VISA resource) -> None."""
    if not url_or_resource.startswith(EMULATOR_URL_PREFIX):
        return None
    name = url_or_resource[len(EMULATOR_URL_PREFIX):]
    if not re.fullmatch(IDENTIFIER_PATTERN, name):
        raise ValueError(f"{url_or_resource!r}: emulator name must match {IDENTIFIER_PATTERN}")
    return name
