"""Sartorius SBI balance core, written from protocols.md 4.2: ESC commands in, fixed-width lines out.

Input: format 1 `ESC <char>`, format 2 `ESC <chars> _` (format 2 commands start with a lower-case letter),
each optionally followed by CR LF; at most 20 characters. Only ESC P (print) and the information requests
x1_/x2_/x3_ are answered; every other command is silent, and an unknown one is ignored [U].
Output: 14 characters + CR LF (16-character format), or a right-aligned 6-character ID code + those
(22-character format). Overload prints `High`, underload `Low`, a device error `Err ###`.
Framing 7O1: the UART reads 7 data bits (bit 7 of a received byte is dropped) and sends 7-bit bytes.
"""
from __future__ import annotations

import math
from typing import ClassVar

from firmware_sim.clock import Clock
from hil.emulators.balance_physics import Reading, VolumeSource, WeighingCell
from hil.emulators.faults import EmulatorError, Fault, non_negative_float, positive_int, reject_unknown_params
from hil.emulators.sartorius_config import VALUE_FIELD_CHARS, SartoriusConfig

ESC = 0x1B
MAX_COMMAND_BYTES = 20
_FORMAT_2_FIRST = frozenset(b"abcdefghijklmnopqrstuvwxyz")
_INFO_IDS = {b"x1_": ("Model", "model"), b"x2_": ("Ser.no", "serial_number"), b"x3_": ("SW", "software_version")}


class SartoriusCore:
    FAULTS: ClassVar[dict[Fault, str]] = {
        Fault.OVERLOAD: "the display shows High for `duration_s` (default: until power_reset)",
        Fault.UNDERLOAD: "the display shows Low for `duration_s` (default: until power_reset)",
        Fault.UNSTABLE: "draughts/vibration: no stable reading for `duration_s` (default 10 s)",
        Fault.ERROR_CODE: "the balance prints `Err <code>` (0..999, default 1) for `duration_s` "
                      "(default: until power_reset)",
        Fault.POWER_RESET: "power cycle: self-test for power_up_time_s (commands ignored), zero taken again, tare "
                           "cleared",
    }

    def __init__(self, config: SartoriusConfig, clock: Clock,
                 volume_source_ul: VolumeSource, t_s: float = 0.0) -> None:
        self.config = config
        self.clock = clock
        self.cell = WeighingCell(config, volume_source_ul, t_s)
        self._command = bytearray()
        self._out: list[bytes] = []
        self.forced: dict[str, float] = {}
        """Special output ("High", "Low", "Err 01") -> until t_s."""
        self.booting_until_s = -math.inf
        self.zero_g = self.tare_g = 0.0
        self._power_up(t_s)
        self.booting_until_s = -math.inf  # switched on long before any host connects

    def baud(self) -> int:
        return self.config.baud

    # --- entry points -------------------------------------------------------------------------
    def receive(self, data: bytes, t_s: float) -> bytes:
        for byte in data:
            self._receive_byte(byte & 0x7F if self.config.framing == "7O1" else byte, t_s)
        return self._drain()

    def poll(self, t_s: float) -> bytes:
        self.cell.serving_tick(t_s)
        return self._drain()

    def validate_fault(self, name: Fault, params: dict) -> None:
        allowed = {Fault.OVERLOAD: {"duration_s"}, Fault.UNDERLOAD: {"duration_s"}, Fault.UNSTABLE: {"duration_s"},
                   Fault.ERROR_CODE: {"duration_s", "code"}, Fault.POWER_RESET: set()}
        if name not in allowed:
            raise EmulatorError(f"sartorius: unknown fault {str(name)!r}")
        reject_unknown_params(name, params, allowed[name])
        if "duration_s" in params:
            non_negative_float(name, "duration_s", params["duration_s"])
        if "code" in params and positive_int(name, "code", params["code"]) > 999:
            raise EmulatorError(f"fault {str(name)!r}: code must be 0..999, got {params['code']!r}")

    def apply_fault(self, name: Fault, t_s: float, params: dict) -> bytes:
        self.validate_fault(name, params)
        until_s = t_s + params.get("duration_s", math.inf)
        if name in (Fault.OVERLOAD, Fault.UNDERLOAD):
            self.forced["High" if name == Fault.OVERLOAD else "Low"] = until_s
        elif name == Fault.ERROR_CODE:
            self.forced[f"Err {int(params.get('code', 1)):02d}"] = until_s
        elif name == Fault.UNSTABLE:
            self.cell.unstable_until_s = t_s + params.get("duration_s", 10.0)
        else:  # power_reset
            self.forced.clear()
            self.cell.unstable_until_s = -math.inf
            self._power_up(t_s)
        return self._drain()

    def add_load_g(self, mass_g: float, t_s: float) -> None:
        self.cell.add_load_g(mass_g, t_s)

    # --- input --------------------------------------------------------------------------------
    def _receive_byte(self, byte: int, t_s: float) -> None:
        if byte == ESC:
            self._command = bytearray([ESC])  # a new command; an unfinished one is dropped
            return
        if not self._command:
            return  # CR LF after a command, or noise between commands
        if byte > 0x7E or byte < 0x20:
            self._command.clear()  # not part of any command (an 8-bit byte on 8N1, a control character)
            return
        self._command.append(byte)
        body = bytes(self._command[1:])
        if body[0] in _FORMAT_2_FIRST and not body.endswith(b"_"):
            if len(self._command) >= MAX_COMMAND_BYTES:
                self._command.clear()
            return
        self._command.clear()
        if t_s >= self.booting_until_s:
            self._execute(body, t_s)

    def _execute(self, body: bytes, t_s: float) -> None:
        if body == b"P":
            self._emit(*self._weight_line(t_s))
        elif body in _INFO_IDS:
            id_code, field = _INFO_IDS[body]
            self._emit(id_code, f"{getattr(self.config, field):>14}")
        elif body in (b"T", b"U"):  # tare key / tare: the present load becomes the tare
            self.tare_g = self.cell.sample(t_s).gross_g - self.zero_g
        elif body == b"V":
            self.zero_g, self.tare_g = self.cell.sample(t_s).gross_g, 0.0
        elif body == b"S":
            self._power_up(t_s)
        # K L M N (filter), O R (keys), Q (beep), Z W (adjustment) and anything else: no output

    # --- output -------------------------------------------------------------------------------
    def _power_up(self, t_s: float) -> None:
        self.zero_g = self.cell.load_g(t_s)
        self.tare_g = 0.0
        self._command.clear()
        self.booting_until_s = t_s + self.config.power_up_time_s

    def _special(self, reading: Reading, t_s: float) -> str | None:
        for text, until_s in self.forced.items():
            if t_s < until_s:
                return text
        if reading.gross_g > self.config.capacity_g:
            return "High"
        if reading.gross_g - self.zero_g < self.config.underload_below_g:
            return "Low"
        return None

    def _weight_line(self, t_s: float) -> tuple[str, str]:
        """(ID code, 14-character body) of the reading now."""
        reading = self.cell.sample(t_s)
        special = self._special(reading, t_s)
        if special is not None:
            return "Stat", f"  {special:>{VALUE_FIELD_CHARS}}    "
        net_g = reading.gross_g - self.zero_g - self.tare_g
        steps = round(net_g / self.config.readability_g)
        value = f"{abs(steps) * self.config.readability_g:.{self.config.decimals}f}"
        if len(value) > VALUE_FIELD_CHARS:  # a tared negative beyond the field: the display cannot show it
            return "Stat", f"  {'Low' if steps < 0 else 'High':>{VALUE_FIELD_CHARS}}    "
        sign = "-" if steps < 0 else self.config.positive_sign
        unit = "" if self.config.blank_unit_when_unstable and not reading.stable else self.config.unit
        return "N", f"{sign} {value:>{VALUE_FIELD_CHARS}} {unit:<3}"

    def _emit(self, id_code: str, body: str) -> None:
        line = (f"{id_code:>6}" if self.config.line_format == 22 else "") + body + "\r\n"
        data = line.encode("ascii")
        self._out.append(bytes(b & 0x7F for b in data) if self.config.framing == "7O1" else data)

    def _drain(self) -> bytes:
        out = b"".join(self._out)
        self._out.clear()
        return out
