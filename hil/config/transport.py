"""How a device is reached: a serial URL (device path, socket://, rfc2217://, spy://, loop://) or `emulator:<name>`."""
from __future__ import annotations

from pydantic import Field, model_validator

from hil.config.bounds import MAX_TIMEOUT_S, MIN_TIMEOUT_S
from hil.config.common import Number, StrictModel, emulator_reference


class TransportConfig(StrictModel):
    url: str = Field(min_length=1, description="device path, socket://, spy://, loop:// or emulator:<name>")
    timeout_s: Number = Field(1.0, ge=MIN_TIMEOUT_S, le=MAX_TIMEOUT_S)

    @model_validator(mode="after")
    def _emulator_name_is_valid(self) -> TransportConfig:
        emulator_reference(self.url)
        return self
