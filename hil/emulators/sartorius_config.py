"""Configuration of an emulated Sartorius SBI balance: the weighing cell of BalanceEmulatorConfig plus the SBI line
format.

Fields marked [U] are unconfirmed in protocols.md 4.2 and therefore configurable.
"""
from __future__ import annotations

from dataclasses import dataclass

from hil.emulators.balance_config import BalanceEmulatorConfig
from hil.emulators.faults import EmulatorError

SBI_FRAMINGS = ("7O1", "8N1")
SBI_LINE_FORMATS = (16, 22)
VALUE_FIELD_CHARS = 8


@dataclass(frozen=True)
class SartoriusConfig(BalanceEmulatorConfig):
    """The MT-SICS-only fields of BalanceEmulatorConfig (sir_interval_s, identity_on_power_up) are not used here;
    stable_timeout_s is not used either (ESC P answers at once)."""

    model: str = "MSE225S"
    software_version: str = "01-70-02"
    serial_number: str = "0037512345"
    framing: str = "8N1"
    """7O1: 7 data bits (received bytes are read as 7 bits, sent bytes are 7-bit), legacy SBI; 8N1: Cubis/Quintix."""
    line_format: int = 16
    """16: sign, value, unit, CR LF; 22: a 6-character ID code (N, Stat, Ser.no, ...) in front."""
    positive_sign: str = "+"
    """What position 1 shows for a value >= 0: `+`, or a space (Quintix)."""
    blank_unit_when_unstable: bool = True
    """[U] an unstable value is sent with a blank unit field (the stability flag)."""
    power_up_time_s: float = 1.0
    """[U] after a restart (ESC S, power_reset) the balance ignores commands this long (self-test)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.framing not in SBI_FRAMINGS:
            raise EmulatorError(f"SartoriusConfig.framing={self.framing!r}: must be one of {SBI_FRAMINGS}")
        if self.line_format not in SBI_LINE_FORMATS:
            raise EmulatorError(f"SartoriusConfig.line_format={self.line_format!r}: must be one of {SBI_LINE_FORMATS}")
        if self.positive_sign not in ("+", " "):
            raise EmulatorError(f"SartoriusConfig.positive_sign={self.positive_sign!r}: must be '+' or ' '")
        widest = f"{self.capacity_g:.{self.decimals}f}"
        if len(widest) > VALUE_FIELD_CHARS:
            raise EmulatorError(f"SartoriusConfig: capacity_g={self.capacity_g:g} at readability_g="
                                f"{self.readability_g:g} prints as {widest!r}, wider than the "
                                f"{VALUE_FIELD_CHARS}-character SBI value field")
        for name in ("model", "software_version", "serial_number"):
            text = getattr(self, name)
            if not (0 < len(text) <= 14 and text.isascii() and text.isprintable()):
                raise EmulatorError(f"SartoriusConfig.{name}={text!r}: must be 1 to 14 printable ASCII characters")
