"""Mettler Toledo MT-SICS balance through pyvisa (pyvisa-py `@py`, or a pyvisa-sim `file.yaml@sim`).

Resources: `ASRL/dev/ttyUSB0::INSTR`, `ASRL/dev/pts/5::INSTR`, `ASRLsocket://127.0.0.1:5020::INSTR`.
Masses leave this module in grams whatever unit the balance displays.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass


from drivers.errors import DeviceAlarm, DeviceTimeout, FramingError, NonFiniteValue, ProtocolError
from drivers.reply_numbers import finite_number
from drivers.units import MS_PER_S
from drivers.visa_session import VisaSession

GRAMS_PER_UNIT = {"g": 1.0, "mg": 1e-3, "kg": 1e3, "ug": 1e-6}
GENERAL_ERRORS = {
    "ES": "syntax error: command not recognised",
    "ET": "transmission error (parity, framing or overflow)",
    "EL": "logical error: command cannot be executed or parameter not allowed",
}
_WEIGHT = re.compile(r"^(S|T|TA) ([SD+\-I])(?: +(\S+) +(\S{1,3}))?$", re.ASCII)
_ACK = re.compile(r"^(\S+) ([A-Z+\-])(?: (.*))?$", re.ASCII)
_I4 = re.compile(r'^I4 A "([^"]*)"$', re.ASCII)
"""The serial-number line: the reply to I4 and @, and what a balance sends unasked after power-up."""


def _raise_for_status(status: str, command: str) -> None:
    """The exception for a reply status that refuses the command (+ overload, - underload, I busy); others pass."""
    if status in ("+", "-"):
        alarm = "overload" if status == "+" else "underload"
        raise DeviceAlarm(alarm, f"balance reports {alarm} for {command!r}")
    if status == "I":
        raise ProtocolError(f"balance cannot execute {command!r} now (busy or no stability within its timeout)")


class BalanceCommandError(ProtocolError):
    """The balance answered a command with ES (syntax) or EL (logical error); code: which."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class MassReading:
    mass_g: float
    stable: bool


class MTSICSBalance(VisaSession):
    """An MT-SICS balance. No I/O until open(); open() builds the ResourceManager and the session."""

    def __init__(
        self,
        resource_name: str,
        backend: str = "@py",
        timeout_s: float = 2.0,
        *,
        baud_rate: int = 9600,
        stable_timeout_s: float | None = None,
    ) -> None:
        self._init_session(resource_name, backend, timeout_s, baud_rate, stable_timeout_s)
        self.streaming = False
        self.open_findings: list[str] = []
        self._first_query = False

    # --- lifecycle ------------------------------------------------------------------------------
    def open(self) -> None:
        if self._resource is not None:
            return
        self.open_findings = []
        self.open_session(self.crlf_line_options(), self.backend)
        self._first_query = True

    def close(self) -> None:
        super().close()
        self.streaming = False

    # --- lines ----------------------------------------------------------------------------------
    def _read_line(self, command: str, timeout_s: float | None = None) -> str:
        resource = self._require()
        if timeout_s is not None:
            resource.timeout = int(timeout_s * MS_PER_S)
        try:
            line = str(self._io(f"{command!r}", resource.read))
        finally:
            if timeout_s is not None:
                resource.timeout = int(self.timeout_s * MS_PER_S)
        line = line.strip("\r\n")
        if _I4.match(line) and command not in ("@", "I4"):
            self._power_up_seen()
        if line == "ET":
            raise FramingError(f"balance answered {command!r} with ET: {GENERAL_ERRORS['ET']}")
        if line in GENERAL_ERRORS:
            raise BalanceCommandError(f"balance answered {command!r} with {line}: {GENERAL_ERRORS[line]}", line)
        return line

    def _query(self, command: str, timeout_s: float | None = None) -> str:
        if self.streaming and command != "@":  # S and SI would be answered by a queued SIR line, not their own
            raise ProtocolError(f"stop_stream() before {command!r}: SIR output would mix with the reply")
        if not self.streaming:
            self._discard_stale_input()
        first, self._first_query = self._first_query, False
        self._io(f"{command!r}", self._require().write, command)
        try:
            return self._read_line(command, timeout_s)
        except BalanceCommandError as exc:
            if not (first and exc.code == "ES"):
                raise
        # the balance still held part of a line a previous host sent, which joined this command: asked again
        self.open_findings.append(f"{command!r} answered ES as the first command after open (the balance held part "
                                  f"of a line a previous host left); asked again")
        self._io(f"{command!r}", self._require().write, command)
        return self._read_line(command, timeout_s)

    def _discard_stale_input(self) -> None:
        """Drop bytes that arrived outside an exchange (a reply that came after its timeout, a corrupted
        line's remainder), so they are never taken for the next reply; a power-up I4 among them is reported."""
        lines = self._pending_input().decode("ascii", errors="replace").split("\r\n")
        if any(_I4.match(line) for line in lines):
            self._power_up_seen()

    def _power_up_seen(self) -> None:
        self.streaming = False
        raise DeviceAlarm("reset", f"balance {self.resource_name} announced a power-up (I4): "
                                   "zero taken again, tare cleared, SIR stopped")

    @staticmethod
    def _parse_weight(line: str, command: str) -> MassReading:
        match = _WEIGHT.match(line)
        if match is None:
            raise FramingError(f"balance reply {line!r} to {command!r} is not '<ID> <status> <value> <unit>'")
        _identifier, status, value, unit = match.groups()
        _raise_for_status(status, command)
        if value is None or unit not in GRAMS_PER_UNIT:
            raise FramingError(f"balance reply {line!r}: missing value or unit not in {sorted(GRAMS_PER_UNIT)}")
        mass_g = finite_number(value, f"mass ({command!r} reply)", line) * GRAMS_PER_UNIT[unit]
        if not math.isfinite(mass_g):  # a finite value beyond the float range once converted to grams
            raise NonFiniteValue(f"mass ({command!r} reply)", value, line)
        return MassReading(mass_g=mass_g, stable=status == "S")

    # --- commands -------------------------------------------------------------------------------
    def read_stable_mass_g(self) -> float:
        """Measure the next stable net mass in grams (`S`; waits up to stable_timeout_s)."""
        reading = self._parse_weight(self._query("S", self.stable_timeout_s), "S")
        if not reading.stable:
            raise ProtocolError(f"balance {self.resource_name} answered S with a dynamic reading "
                                f"({reading.mass_g:g} g); S must return a stable one")
        return reading.mass_g

    def read_mass_immediately(self) -> MassReading:
        """Measure the net mass now, stable or not (`SI`)."""
        return self._parse_weight(self._query("SI"), "SI")

    def start_stream(self) -> None:
        """Start `SIR`: the balance sends a reading at its display rate until stop_stream()."""
        self._io("'SIR'", self._require().write, "SIR")
        self.streaming = True

    def read_streamed(self) -> MassReading:
        """Measure the next streamed reading (after start_stream())."""
        if not self.streaming:
            raise ProtocolError("read_streamed() needs start_stream() first")
        return self._parse_weight(self._read_line("SIR"), "SIR")

    def stop_stream(self) -> str:
        """Cancel SIR with `@` (which also clears the tare); discards streamed lines; returns the serial number.
        The streamed lines and the reply share one deadline, timeout_s after the `@` [SR-DRV-002]."""
        self._io("'@'", self._require().write, "@")
        deadline_s = time.monotonic() + self.timeout_s
        late = f"balance {self.resource_name}: no I4 reply to '@' within {self.timeout_s:g} s"
        while (remaining_s := deadline_s - time.monotonic()) > 0:
            try:
                line = self._read_line("@", max(remaining_s, 1e-3))
            except DeviceTimeout as exc:
                raise DeviceTimeout(late) from exc
            if line.startswith("I4 "):
                self.streaming = False
                return self._parse_serial(line, "@")
        raise DeviceTimeout(f"{late} (streamed lines kept coming)")

    def zero(self) -> None:
        """Set zero when stable (`Z`)."""
        self._expect_ack("Z", self._query("Z", self.stable_timeout_s))

    def tare_g(self) -> float:
        """Tare when stable (`T`); returns the tare mass in grams."""
        return self._parse_weight(self._query("T", self.stable_timeout_s), "T").mass_g

    def reset(self) -> str:
        """Cancel and reset like power-on without zeroing (`@`, clears tare); returns the serial number."""
        if self.streaming:
            return self.stop_stream()
        return self._parse_serial(self._query("@"), "@")

    def serial_number(self) -> str:
        """Get the serial number (`I4`)."""
        return self._parse_serial(self._query("I4"), "I4")

    @staticmethod
    def _parse_serial(line: str, command: str) -> str:
        match = _I4.match(line)
        if match is None:
            raise FramingError(f"balance reply {line!r} to {command!r} is not 'I4 A \"<serial>\"'")
        return match.group(1)

    @staticmethod
    def _expect_ack(command: str, line: str) -> None:
        match = _ACK.match(line)
        if match is None or match.group(1) != command:
            raise FramingError(f"balance reply {line!r} to {command!r} is not '{command} <status>'")
        status = match.group(2)
        if status == "A":
            return
        _raise_for_status(status, command)
        raise FramingError(f"balance reply {line!r} to {command!r} has unknown status {status!r}")
