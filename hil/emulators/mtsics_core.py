"""MT-SICS balance core: CRLF-terminated commands in, `ID STATUS value unit` lines out.

S, Z and T wait for stability in clock time (through clock.sleep_until_s, so a virtual clock moves
on by itself) for up to stable_timeout_s, then answer `I`. SIR streams one line per sir_interval_s.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

from firmware_sim.clock import Clock
from hil.emulators.balance_config import BalanceEmulatorConfig
from hil.emulators.balance_physics import Reading, VolumeSource, WeighingCell
from hil.emulators.faults import EmulatorError, Fault, non_negative_float, reject_unknown_params
from hil.emulators.line_output import drain_lines

MAX_LINE_BYTES = 64


class MtSicsCore:
    FAULTS: ClassVar[dict[Fault, str]] = {
        Fault.OVERLOAD: "the load cell reports overload (+) for `duration_s` (default: until power_reset)",
        Fault.UNDERLOAD: "the load cell reports underload (-) for `duration_s` (default: until power_reset)",
        Fault.UNSTABLE: "draughts/vibration: no stable reading for `duration_s` (default 10 s)",
        Fault.POWER_RESET: "power cycle: zero taken again, tare cleared, SIR stopped",
    }

    def __init__(self, config: BalanceEmulatorConfig, clock: Clock,
                 volume_source_ul: VolumeSource, t_s: float = 0.0) -> None:
        self.config = config
        self.clock = clock
        self.cell = WeighingCell(config, volume_source_ul, t_s)
        self._buffer = bytearray()
        self._out: list[str] = []
        self.forced_status: dict[str, float] = {}  # "+" / "-" -> until t_s
        self.zero_g = self.tare_g = 0.0
        self.sir_next_s: float | None = None
        self._power_up(t_s, announce=False)  # switched on before any host connected: nobody hears the I4

    def baud(self) -> int:
        return self.config.baud

    # --- entry points -------------------------------------------------------------------------
    def receive(self, data: bytes, t_s: float) -> bytes:
        self._buffer += data
        while (end := self._buffer.find(b"\r\n")) >= 0:
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 2]
            self._out.append(self._execute(line, t_s))
            t_s = max(t_s, self.clock.now_s())  # waiting for stability may have moved time on
        if len(self._buffer) > MAX_LINE_BYTES:
            self._buffer.clear()
            self._out.append("ET")
        return self._drain()

    def poll(self, t_s: float) -> bytes:
        self.cell.serving_tick(t_s)
        if self.sir_next_s is not None and t_s >= self.sir_next_s:
            self._out.append(self._weight_line("S", self.cell.sample(t_s), t_s, immediate=True))
            self.sir_next_s = t_s + self.config.sir_interval_s
        return self._drain()

    def validate_fault(self, name: Fault, params: dict) -> None:
        reject_unknown_params(name, params, set() if name == Fault.POWER_RESET else {"duration_s"})
        if "duration_s" in params:
            non_negative_float(name, "duration_s", params["duration_s"])

    def apply_fault(self, name: Fault, t_s: float, params: dict) -> bytes:
        self.validate_fault(name, params)
        if name in (Fault.OVERLOAD, Fault.UNDERLOAD):
            until_s = t_s + params.get("duration_s", math.inf)
            self.forced_status["+" if name == Fault.OVERLOAD else "-"] = until_s
        elif name == Fault.UNSTABLE:
            self.cell.unstable_until_s = t_s + params.get("duration_s", 10.0)
        elif name == Fault.POWER_RESET:
            self.forced_status.clear()
            self.cell.unstable_until_s = -math.inf
            self._power_up(t_s, announce=True)
        else:
            raise EmulatorError(f"balance: unknown fault {str(name)!r}")
        return self._drain()

    def add_load_g(self, mass_g: float, t_s: float) -> None:
        self.cell.add_load_g(mass_g, t_s)

    # --- state --------------------------------------------------------------------------------
    def _power_up(self, t_s: float, announce: bool) -> None:
        self.zero_g = self.cell.load_g(t_s)
        self.tare_g = 0.0
        self.sir_next_s = None
        self._buffer.clear()
        if announce and self.config.identity_on_power_up:
            self._out.append(self._identity())

    def _identity(self) -> str:
        return f'I4 A "{self.config.serial_number}"'

    def _range_status(self, reading: Reading, t_s: float) -> str | None:
        for status, until_s in self.forced_status.items():
            if t_s < until_s:
                return status
        if reading.gross_g > self.config.capacity_g:
            return "+"
        if reading.gross_g - self.zero_g < self.config.underload_below_g:
            return "-"
        return None

    def _format_g(self, value_g: float) -> str:
        steps = round(value_g / self.config.readability_g)
        return f"{steps * self.config.readability_g:10.{self.config.decimals}f}"

    def _weight_line(self, ident: str, reading: Reading, t_s: float, immediate: bool) -> str:
        out_of_range = self._range_status(reading, t_s)
        if out_of_range is not None:
            return f"{ident} {out_of_range}"
        status = "S" if reading.stable else ("D" if immediate else "I")
        if status == "I":
            return f"{ident} I"
        net_g = reading.gross_g - self.zero_g - self.tare_g
        return f"{ident} {status} {self._format_g(net_g)} {self.config.unit}"

    def _wait_for_stable(self, t_s: float) -> tuple[Reading, float]:
        """Sample until stable or until stable_timeout_s has passed on the clock."""
        deadline_s = t_s + self.config.stable_timeout_s
        while True:
            reading = self.cell.sample(t_s)
            if reading.stable or t_s >= deadline_s or self._range_status(reading, t_s):
                return reading, t_s
            t_s = min(t_s + self.config.stability_check_interval_s, deadline_s)
            self.clock.sleep_until_s(t_s)
            t_s = max(t_s, self.clock.now_s())

    # --- commands -----------------------------------------------------------------------------
    def _execute(self, raw: bytes, t_s: float) -> str:
        try:
            line = raw.decode("ascii")
        except UnicodeDecodeError:
            return "ET"
        if not line.isprintable():
            return "ES"
        name, _, params = line.partition(" ")
        handler = _COMMANDS.get(name)
        if handler is None:
            return "ES"
        if params:
            return "EL"  # no emulated command takes parameters (e.g. a preset tare value for TA)
        return handler(self, t_s, params)

    def _stable_command(self, ident: str, t_s: float) -> tuple[str | None, Reading, float]:
        reading, t_s = self._wait_for_stable(t_s)
        out_of_range = self._range_status(reading, t_s)
        if out_of_range is not None:
            return f"{ident} {out_of_range}", reading, t_s
        return (None if reading.stable else f"{ident} I"), reading, t_s

    def cmd_s(self, t_s: float, _: str) -> str:
        self.sir_next_s = None
        reading, t_s = self._wait_for_stable(t_s)
        return self._weight_line("S", reading, t_s, immediate=False)

    def cmd_si(self, t_s: float, _: str) -> str:
        self.sir_next_s = None
        return self._weight_line("S", self.cell.sample(t_s), t_s, immediate=True)

    def cmd_sir(self, t_s: float, _: str) -> str:
        self.sir_next_s = t_s + self.config.sir_interval_s
        return self._weight_line("S", self.cell.sample(t_s), t_s, immediate=True)

    def cmd_z(self, t_s: float, _: str) -> str:
        refusal, reading, t_s = self._stable_command("Z", t_s)
        if refusal is not None:
            return refusal
        self.zero_g, self.tare_g = reading.gross_g, 0.0
        return "Z A"

    def cmd_zi(self, t_s: float, _: str) -> str:
        reading = self.cell.sample(t_s)
        if (out_of_range := self._range_status(reading, t_s)) is not None:
            return f"ZI {out_of_range}"
        self.zero_g, self.tare_g = reading.gross_g, 0.0
        return f"ZI {'S' if reading.stable else 'D'}"

    def cmd_t(self, t_s: float, _: str) -> str:
        refusal, reading, t_s = self._stable_command("T", t_s)
        if refusal is not None:
            return refusal
        self.tare_g = reading.gross_g - self.zero_g
        return f"T S {self._format_g(self.tare_g)} {self.config.unit}"

    def cmd_ti(self, t_s: float, _: str) -> str:
        reading = self.cell.sample(t_s)
        if (out_of_range := self._range_status(reading, t_s)) is not None:
            return f"TI {out_of_range}"
        self.tare_g = reading.gross_g - self.zero_g
        return f"TI {'S' if reading.stable else 'D'} {self._format_g(self.tare_g)} {self.config.unit}"

    def cmd_ta(self, t_s: float, _: str) -> str:
        return f"TA A {self._format_g(self.tare_g)} {self.config.unit}"

    def cmd_tac(self, t_s: float, _: str) -> str:
        self.tare_g = 0.0
        return "TAC A"

    def cmd_reset(self, t_s: float, _: str) -> str:
        self.sir_next_s, self.tare_g = None, 0.0
        return self._identity()

    def cmd_i2(self, t_s: float, _: str) -> str:
        return f'I2 A "{self.config.model} {self.config.capacity_g:g} {self.config.unit}"'

    def cmd_i3(self, t_s: float, _: str) -> str:
        return f'I3 A "{self.config.software_version}"'

    def cmd_i4(self, t_s: float, _: str) -> str:
        return self._identity()

    def _drain(self) -> bytes:
        return drain_lines(self._out)


_COMMANDS: dict[str, Callable[[MtSicsCore, float, str], str]] = {
    "S": MtSicsCore.cmd_s, "SI": MtSicsCore.cmd_si, "SIR": MtSicsCore.cmd_sir,
    "Z": MtSicsCore.cmd_z, "ZI": MtSicsCore.cmd_zi, "T": MtSicsCore.cmd_t, "TI": MtSicsCore.cmd_ti,
    "TA": MtSicsCore.cmd_ta, "TAC": MtSicsCore.cmd_tac, "@": MtSicsCore.cmd_reset,
    "I2": MtSicsCore.cmd_i2, "I3": MtSicsCore.cmd_i3, "I4": MtSicsCore.cmd_i4,
}
