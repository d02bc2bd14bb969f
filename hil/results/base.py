"""The base of every result model, and the one JSON writer (no NaN, no Infinity)."""
from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from firmware_sim.outcome import Outcome


class ResultModel(BaseModel):
    """Frozen, unknown fields refused, NaN and infinities refused at construction."""
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, use_attribute_docstrings=True)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class OutcomeResult(ResultModel):
    """A result with an outcome; `passed` is derived from it (PASS only) and written beside it."""
    outcome: Outcome

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS


def dump_json(data: object, *, indent: int | None = None) -> str:
    """JSON text of a model (ResultModel) or plain data; ValueError on NaN or an infinity anywhere (never written);
    TypeError on what JSON cannot hold."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return json.dumps(data, allow_nan=False, indent=indent)
