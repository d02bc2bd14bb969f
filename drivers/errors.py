"""Exception hierarchy shared by every driver."""
from __future__ import annotations


class DriverError(Exception):
    """Base of every driver error."""


class TransportError(DriverError):
    """The byte link failed."""


class DeviceTimeout(TransportError):
    """No (complete) reply within the read timeout."""


class DeviceDisconnected(TransportError):
    """The port went away (USB unplug, emulator closed, I/O error)."""


class FramingError(DriverError):
    """A reply could not be parsed: bad length, missing terminator, CRC mismatch, garbage."""


class ProtocolError(DriverError):
    """The device answered, but with an error code or something the protocol does not allow."""


class SyringeMismatch(ProtocolError):
    """The pump reports a syringe other than the one it was given."""


class DeviceAlarm(DriverError):
    """The device reports an alarm condition (stall, watchdog, reset, ...)."""

    def __init__(self, alarm: str, detail: str = "") -> None:
        super().__init__(f"device alarm {alarm}" + (f": {detail}" if detail else ""))
        self.alarm = alarm


class LimitExceeded(DriverError):
    """A command asked for more than the rig allows (e.g. rig maximum rate); nothing was sent."""


class NonFiniteValue(ProtocolError):
    """A reply carries NaN or infinity (or a number too large for a float) where a measurement belongs: no device
    measures that, so the reply cannot be used. Names the field and the raw reply."""

    def __init__(self, field: str, text: str, reply: str) -> None:
        shown = reply if len(reply) <= 120 else f"{reply[:100]}...({len(reply)} characters)"
        value = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
        super().__init__(f"{field} is {value!r}, not a finite number, in the reply {shown!r}")
        self.field = field
        self.text = text
        self.reply = reply
