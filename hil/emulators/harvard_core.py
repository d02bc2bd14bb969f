"""Harvard pump-chain device core: line input, state and plunger, advanced lazily in clock time.

Pure: bytes in, bytes out; every entry point takes the current clock time t_s. Between calls the core knows when
the syringe would hit its end stop (stall), when the line's give would be used up under an occlusion (stall) and
when the target volume would be reached (T*), and replays those events in order, so a clock jump of 30 days gives
the same answer as living through them.

Replies (protocols.md 2.1): each text line `LF [NN ]text CR`, then the prompt `LF NN<prompt>` with no terminator.
"""
from __future__ import annotations

from typing import ClassVar

from firmware_sim.units import MIN_PER_H, S_PER_H
from hil.emulators.harvard_commands import execute
from hil.emulators.faults import Fault
from hil.emulators.harvard_config import HarvardConfig
from hil.emulators.harvard_state import HarvardState
from hil.emulators.pump_core import OCCLUSION_STALLS_TEXT, SyringePumpCore
from hil.emulators.syringe import INFUSE, area_mm2, outlet_fault_text, syringe_from
MAX_LINE_BYTES = 256
"""A longer line is discarded and answered with an error when its terminator comes."""


class HarvardCore(SyringePumpCore):
    DEVICE_LABEL = "Harvard"
    FAULTS: ClassVar[dict[Fault, str]] = {
        Fault.STALL: "the motor jams: a running pump stalls at once (prompt *); cleared by stop",
        Fault.OCCLUSION: OCCLUSION_STALLS_TEXT,
        Fault.POWER_RESET: "power is interrupted: the pump stops and comes back idle (no announcement on the line)",
        **outlet_fault_text(Fault.CLEAR_OCCLUSION, Fault.RATE_ERROR, Fault.CLEAR_RATE_ERROR),
    }

    def __init__(self, config: HarvardConfig, t_s: float = 0.0) -> None:
        self.config = config
        self.address = config.address
        self.diameter_mm = config.syringe_diameter_mm
        self.syringe_volume_ul = config.syringe_volume_ul
        self.syringe = syringe_from(config)
        self.t_s = t_s
        self.state = HarvardState.IDLE
        self.direction: int = INFUSE
        self.infuse_rate_ul_per_h = 0.0
        self.infuse_rate_units = "ul/hr"
        self.withdraw_rate_ul_per_h = 0.0
        self.withdraw_rate_units = "ul/hr"
        self.target_volume_ul: float | None = None
        self.infused_ul = 0.0
        self.withdrawn_ul = 0.0
        self.infuse_time_s = 0.0
        self.withdraw_time_s = 0.0
        self.motor_jammed = False
        self.settings_writes = 0
        """Writes of a setting to non-volatile memory (every rate or diameter change while nvram is on) [U]."""
        self.nvram = True
        self._line = bytearray()
        self._overflow = False
        self._after_cr = False
        self._outbox = bytearray()

    # --- entry points -------------------------------------------------------------------------
    def baud(self) -> int:
        return self.config.baud

    def receive(self, data: bytes, t_s: float) -> bytes:
        self.advance_to(t_s)
        for byte in data:
            if byte == 0x0A and self._after_cr:  # CR LF ends one line, not two
                self._after_cr = False
                continue
            self._after_cr = byte == 0x0D
            if byte in (0x0D, 0x0A):
                line, overflow = bytes(self._line), self._overflow
                self._line.clear()
                self._overflow = False
                execute(self, line, overflow)
            elif len(self._line) < MAX_LINE_BYTES:
                self._line.append(byte)
            else:
                self._overflow = True
        return self._drain()

    def power_reset(self) -> None:
        """The pump comes back idle, nothing announced (protocols.md describes no power-up message)."""
        self.state = HarvardState.IDLE
        self._line.clear()
        if self.config.power_reset_clears_volumes:
            self.infused_ul = self.withdrawn_ul = 0.0

    # --- time ---------------------------------------------------------------------------------
    @property
    def moving(self) -> bool:
        return self.state in (HarvardState.INFUSING, HarvardState.WITHDRAWING)

    def rate_ul_per_h(self) -> float:
        return self.infuse_rate_ul_per_h if self.direction == INFUSE else self.withdraw_rate_ul_per_h

    def advance_to(self, t_s: float) -> None:
        """Replay motion and its events, in order, up to clock time t_s."""
        while True:
            if self.moving and self.motor_jammed:
                self.state = HarvardState.STALLED
            if not self.moving:
                self.t_s = max(self.t_s, t_s)
                self.syringe.note_time(self.t_s)
                return
            rate_ul_per_s = self.rate_ul_per_h() / S_PER_H
            if rate_ul_per_s <= 0:  # run refuses a zero rate; nothing moves
                self.t_s = max(self.t_s, t_s)
                self.syringe.note_time(self.t_s)
                return
            travel_s = self.syringe.travel_left_mm(self.direction) * self._area_mm2() / rate_ul_per_s
            candidates = [(t_s, 1, "now"), (self.t_s + travel_s, 0, "stall")]  # events due now come first
            if self.target_volume_ul is not None:
                left_ul = max(self.target_volume_ul - self.counted_ul(), 0.0)
                candidates.append((self.t_s + left_ul / rate_ul_per_s, 0, "target"))
            event_t_s, _, event = min(candidates)
            event_t_s = max(event_t_s, self.t_s)
            self._move(event_t_s - self.t_s)
            self.t_s = event_t_s
            self.syringe.note_time(self.t_s)
            if event == "now":
                return
            self.state = HarvardState.STALLED if event == "stall" else HarvardState.TARGET_REACHED

    def _move(self, dt_s: float) -> None:
        volume_ul = self.rate_ul_per_h() * dt_s / S_PER_H
        self.syringe.move_mm(min(volume_ul / self._area_mm2(), self.syringe.travel_left_mm(self.direction)),
                             self.direction)
        if self.direction == INFUSE:
            self.infused_ul += volume_ul
            self.infuse_time_s += dt_s
        else:
            self.withdrawn_ul += volume_ul
            self.withdraw_time_s += dt_s

    def counted_ul(self) -> float:
        """The volume counter of the current direction (what a target is compared with)."""
        return self.infused_ul if self.direction == INFUSE else self.withdrawn_ul

    # --- actions used by the commands ---------------------------------------------------------
    def run(self, direction: int) -> None:
        """Start in `direction` (a stall is cleared by stop, not by running: a jammed motor stalls again)."""
        self.direction = direction
        self.state = HarvardState.INFUSING if direction == INFUSE else HarvardState.WITHDRAWING
        self.advance_to(self.t_s)

    def stop(self) -> None:
        self.state = HarvardState.IDLE
        self.motor_jammed = False

    def _area_mm2(self) -> float:
        return area_mm2(self.diameter_mm)

    def rate_limits_ul_per_h(self) -> tuple[float, float]:
        area = self._area_mm2()
        return (self.config.min_plunger_speed_mm_per_h * area,
                self.config.max_plunger_speed_mm_per_min * MIN_PER_H * area)

    def volume_units(self) -> str:
        return "ul" if self.syringe_volume_ul <= self.config.microlitre_volume_max_ul else "ml"

    def store_setting(self) -> None:
        if self.nvram:
            self.settings_writes += 1

    # --- replies ------------------------------------------------------------------------------
    def reply(self, lines: list[str]) -> None:
        prefix = f"{self.address:02d} " if self.config.text_line_address else ""
        for line in lines:
            self._outbox += f"\n{prefix}{line}\r".encode("ascii")
        self._outbox += f"\n{self.address:02d}{self.state.prompt}".encode("ascii")
