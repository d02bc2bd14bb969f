"""Sartorius balance speaking SBI through pyvisa (pyvisa-py `@py`, or a pyvisa-sim `file.yaml@sim`).

Resources: `ASRL/dev/ttyUSB0::INSTR`, `ASRL/dev/pts/5::INSTR`, `ASRLsocket://127.0.0.1:5020::INSTR`.
Commands are `ESC <char>` (format 1) or `ESC <chars> _` (format 2), sent with CR LF; only a print request
(`ESC P`) and the information requests (`ESC x1_` ...) are answered, each with one line (drivers.sbi_lines).
The balance menu must send values without waiting for stability (the stability flag says which are stable)
and its framing must match `framing`: legacy SBI 7 data bits odd parity (7O1), Cubis/Quintix often 8N1.
framing=None leaves the port's data bits and parity alone: for pseudo-terminals (emulators), which Linux keeps
at 8 bits without parity and which refuse 7O1 (termios EINVAL).

An SBI balance does not announce a restart (MT-SICS sends I4): after a power cycle its readings count from a
new zero, and nothing on the line says so.
"""
from __future__ import annotations

from typing import Any, Literal

import pyvisa

from drivers.clock import DriverClock, MonotonicClock
from drivers.errors import ProtocolError
from drivers.mtsics import MassReading
from drivers.sbi_lines import GRAMS_PER_UNIT, parse_weight_line, text_line
from drivers.visa_session import VisaSession

Framing = Literal["7O1", "8N1"]
FRAMINGS: dict[str, tuple[int, Any]] = {"7O1": (7, pyvisa.constants.Parity.odd),
                                        "8N1": (8, pyvisa.constants.Parity.none)}
"""framing -> (data bits, parity); one stop bit either way."""
ESC = "\x1b"
PRINT = ESC + "P"
TARE = ESC + "U"
ZERO = ESC + "V"
RESTART = ESC + "S"
INFO = {"model": ESC + "x1_", "serial number": ESC + "x2_", "software version": ESC + "x3_"}
STABLE_POLL_INTERVAL_S = 0.1


class SartoriusBalance(VisaSession):
    """A Sartorius SBI balance. No I/O until open(); open() builds the ResourceManager and the session."""

    def __init__(
        self,
        resource_name: str,
        backend: str = "@py",
        timeout_s: float = 2.0,
        *,
        baud_rate: int = 9600,
        framing: Framing | None = "8N1",
        display_unit: str = "g",
        stable_timeout_s: float | None = None,
        clock: DriverClock | None = None,
    ) -> None:
        self._init_session(resource_name, backend, timeout_s, baud_rate, stable_timeout_s)
        if framing is not None and framing not in FRAMINGS:
            raise ValueError(f"framing {framing!r}: not one of {sorted(FRAMINGS)}")
        if display_unit not in GRAMS_PER_UNIT:
            raise ValueError(f"display_unit {display_unit!r}: not one of {sorted(GRAMS_PER_UNIT)}")
        self.framing = framing
        self.display_unit = display_unit
        self.clock: DriverClock = clock if clock is not None else MonotonicClock()
        """The time read_stable_mass_g polls in (the rig's device clock)."""

    # --- lifecycle ------------------------------------------------------------------------------
    def open(self) -> None:
        if self._resource is not None:
            return
        options = self.crlf_line_options()
        if self.on_serial_port and self.framing is not None:
            data_bits, parity = FRAMINGS[self.framing]
            options.update(data_bits=data_bits, parity=parity, stop_bits=pyvisa.constants.StopBits.one)
        framing = f", framing {self.framing}" if self.framing is not None else ""
        self.open_session(options, f"{self.backend}, {self.baud_rate} baud{framing}")

    # --- lines ----------------------------------------------------------------------------------
    def _send(self, command: str) -> None:
        self._io(_shown(command), self._require().write, command)

    def _query(self, command: str) -> str:
        """Send a command and read its one line, within timeout_s."""
        self._discard_stale_input()
        self._send(command)
        return str(self._io(_shown(command), self._require().read)).strip("\r\n")

    def _discard_stale_input(self) -> None:
        """Drop bytes that arrived outside an exchange (a reply that came after its timeout, a corrupted line's
        remainder), so they are never taken for the next reply."""
        self._pending_input()

    # --- commands -------------------------------------------------------------------------------
    def read_mass_immediately(self) -> MassReading:
        """Measure the net mass now, stable or not (`ESC P`). A 22-character line with another ID code than net's
        (`G#` gross, `T` tare, ...) raises ProtocolError naming it (drivers.sbi_lines.parse_weight_line)."""
        reading = parse_weight_line(self._query(PRINT), self.display_unit)
        return MassReading(mass_g=reading.mass_g, stable=reading.stable)

    def read_stable_mass_g(self) -> float:
        """Measure the next stable net mass in grams: `ESC P` until a reading is stable, for up to
        stable_timeout_s (every request bounded by timeout_s)."""
        deadline_s = self.clock.now_s() + self.stable_timeout_s
        while True:
            reading = self.read_mass_immediately()
            if reading.stable:
                return reading.mass_g
            if self.clock.now_s() + STABLE_POLL_INTERVAL_S > deadline_s:
                raise ProtocolError(f"balance {self.resource_name}: no stable reading within "
                                    f"{self.stable_timeout_s:g} s (last {reading.mass_g:g} g, unstable)")
            self.clock.sleep_until_s(self.clock.now_s() + STABLE_POLL_INTERVAL_S)

    def tare(self) -> None:
        """Tare (`ESC U`); the balance does not answer."""
        self._send(TARE)

    def zero(self) -> None:
        """Zero (`ESC V`); the balance does not answer."""
        self._send(ZERO)

    def restart(self) -> None:
        """Restart like power-on (`ESC S`): zero taken again, tare cleared; the balance does not answer."""
        self._send(RESTART)

    def serial_number(self) -> str:
        """The serial number (`ESC x2_`)."""
        return self._info("serial number")

    def model(self) -> str:
        """The model name (`ESC x1_`)."""
        return self._info("model")

    def _info(self, what: str) -> str:
        return text_line(self._query(INFO[what]), what)


def _shown(command: str) -> str:
    """A command as it reads in messages: ESC P -> 'ESC P'."""
    return repr(command.replace(ESC, "ESC "))
