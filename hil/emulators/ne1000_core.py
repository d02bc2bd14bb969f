"""NE-1000 device core: link, alarms, program and plunger, all advanced lazily in clock time.

Pure: bytes in, bytes out; every entry point takes the current clock time t_s. Between calls the
core knows exactly when the syringe would hit its end stop, when the phase volume would be reached
and when the Safe-mode watchdog would expire, and replays those events in order, so a clock jump of
30 days gives the same answer as living through them.
"""
from __future__ import annotations

import copy
from typing import ClassVar

from firmware_sim.units import MIN_PER_H, S_PER_H
from hil.emulators.faults import Fault
from hil.emulators.ne1000_config import NE1000Config
from hil.emulators.ne1000_commands import execute
from hil.emulators.ne1000_framing import Packet, PacketReceiver, encode_basic, encode_safe
from hil.emulators.ne1000_state import PAUSED, PUMPING, PURGING, STOPPED, Settings
from hil.emulators.pump_core import OCCLUSION_STALLS_TEXT, SyringePumpCore
from hil.emulators.syringe import INFUSE, OUTLET_FAULT_TEXT, area_mm2, syringe_from


class NE1000Core(SyringePumpCore):
    DEVICE_LABEL = "NE-1000"
    FAULTS: ClassVar[dict[Fault, str]] = {
        Fault.STALL: "the motor jams: a running pump stalls at once (A?S); cleared when the alarm is acknowledged",
        Fault.OCCLUSION: OCCLUSION_STALLS_TEXT,
        Fault.POWER_RESET: "power is interrupted: pump stops, settings reload from memory, A?R is pending",
        **OUTLET_FAULT_TEXT,
    }

    def __init__(self, config: NE1000Config, t_s: float = 0.0) -> None:
        self.config = config
        self.settings = Settings(
            address=config.address, safe_mode_timeout_s=config.safe_mode_timeout_s, baud=config.baud,
            diameter_mm=config.syringe_diameter_mm, volume_units=self._units_for(config.syringe_diameter_mm),
        )
        self._eeprom = copy.deepcopy(self.settings)
        self.eeprom_writes = 0
        self.syringe = syringe_from(config)
        self.receiver = PacketReceiver(config.inter_byte_timeout_s, config.accept_safe_packets_in_basic_mode)
        self.infused_ul = 0.0
        self.withdrawn_ul = 0.0
        self.t_s = t_s
        self.selected_phase = 1
        self.state = STOPPED
        self.running_phase = 1
        self.phase_done_ul = 0.0
        self.direction: int = INFUSE
        self.rate_ul_per_h = 0.0
        self.alarm: str | None = None
        self.motor_jammed = False
        self.watchdog_deadline_s: float | None = None
        self._outbox = bytearray()
        self.power_reset()

    # --- entry points -------------------------------------------------------------------------
    def baud(self) -> int:
        return self.settings.baud

    @property
    def safe_mode(self) -> bool:
        return self.settings.safe_mode_timeout_s > 0

    def receive(self, data: bytes, t_s: float) -> bytes:
        self.advance_to(t_s)
        for packet in self.receiver.feed(data, t_s, self.safe_mode):
            self._handle_packet(packet)
        return self._drain()

    def status_char(self) -> str:
        if self.state == PUMPING:
            return "I" if self.direction == INFUSE else "W"
        return self.state.value

    # --- time ---------------------------------------------------------------------------------
    def advance_to(self, t_s: float) -> None:
        """Replay motion and timed events, in order, up to clock time t_s."""
        while True:
            moving = self.state in (PUMPING, PURGING)
            if moving and self.motor_jammed:
                self._raise_alarm("S")
                continue
            candidates = [(t_s, "now")]
            if self.watchdog_deadline_s is not None:
                candidates.append((self.watchdog_deadline_s, "watchdog"))
            if moving:
                speed_mm_per_s = self.rate_ul_per_h / self._pump_area_mm2() / S_PER_H
                travel_s = self.syringe.travel_left_mm(self.direction) / speed_mm_per_s
                candidates.append((self.t_s + travel_s, "end_of_travel"))
                target_ul = self.settings.phases[self.running_phase].target_volume_ul
                if self.state == PUMPING and target_ul > 0:
                    volume_s = max(target_ul - self.phase_done_ul, 0.0) / self.rate_ul_per_h * S_PER_H
                    candidates.append((self.t_s + volume_s, "phase_volume"))
            event_t_s, event = min(candidates)
            event_t_s = max(event_t_s, self.t_s)
            if moving:
                self._move(event_t_s - self.t_s)
            self.t_s = event_t_s
            self.syringe.note_time(self.t_s)
            if event == "now":
                return
            self._handle_event(event)

    def _move(self, dt_s: float) -> None:
        volume_ul = self.rate_ul_per_h * dt_s / S_PER_H
        self.syringe.move_mm(volume_ul / self._pump_area_mm2(), self.direction)
        if self.direction == INFUSE:
            self.infused_ul += volume_ul
        else:
            self.withdrawn_ul += volume_ul
        self.phase_done_ul += volume_ul

    def _handle_event(self, event: str) -> None:
        if event == "watchdog":
            self.watchdog_deadline_s = None  # disarmed until the next valid packet
            self._raise_alarm("T")
        elif event == "end_of_travel":
            self._raise_alarm("S")
        elif event == "phase_volume":
            self.start_program(self.running_phase + 1)

    # --- program ------------------------------------------------------------------------------
    def start_program(self, phase: int) -> None:
        program = self.settings.phases.get(phase)
        if program is None or program.function != "RAT" or program.rate_ul_per_h <= 0:
            self.stop_program()
            return
        self.state, self.running_phase, self.phase_done_ul = PUMPING, phase, 0.0
        self.direction, self.rate_ul_per_h = program.direction, program.rate_ul_per_h

    def purge(self, max_rate_ul_per_h: float, direction: int) -> None:
        """Run at max_rate_ul_per_h in `direction` (the selected phase's) until stopped."""
        self.state, self.rate_ul_per_h, self.direction = PURGING, max_rate_ul_per_h, direction

    def pause(self) -> None:
        self.state = PAUSED

    def resume(self) -> None:
        self.state = PUMPING

    def stop_program(self) -> None:
        self.state, self.running_phase, self.phase_done_ul = STOPPED, 1, 0.0

    def _raise_alarm(self, kind: str) -> None:
        self.stop_program()
        self.alarm = kind
        if self.safe_mode:  # auto-alarm: spontaneous status packet; does not acknowledge the alarm
            self.send(self.reply_data(f"A?{kind}"))

    def power_reset(self) -> None:
        self.settings = copy.deepcopy(self._eeprom)
        self.stop_program()
        self.selected_phase = 1
        self.watchdog_deadline_s = None  # armed by the first valid packet
        self.receiver.reset()
        if self.config.power_reset_clears_dispensed:
            self.infused_ul = self.withdrawn_ul = 0.0
        self._raise_alarm("R")

    def master_reset(self) -> None:
        """*RESET: program memory cleared, Basic mode, address 0; then a restart."""
        self.settings = Settings(address=0, safe_mode_timeout_s=0, baud=self.settings.baud,
                                 diameter_mm=self.settings.diameter_mm, volume_units=self.settings.volume_units)
        self.store()
        self.power_reset()

    # --- settings helpers ---------------------------------------------------------------------
    def _units_for(self, diameter_mm: float) -> str:
        return "UL" if diameter_mm <= self.config.microlitre_units_max_diameter_mm else "ML"

    def _pump_area_mm2(self) -> float:
        return area_mm2(self.settings.diameter_mm)

    def set_diameter_mm(self, diameter_mm: float) -> None:
        self.settings.diameter_mm = diameter_mm
        self.settings.volume_units = self._units_for(diameter_mm)

    def rate_limits_ul_per_h(self) -> tuple[float, float]:
        area = self._pump_area_mm2()
        return (self.config.min_plunger_speed_mm_per_h * area,
                self.config.max_plunger_speed_mm_per_min * MIN_PER_H * area)

    def store(self) -> None:
        """A setting changed over RS-232 is written to non-volatile memory."""
        self._eeprom = copy.deepcopy(self.settings)
        self.eeprom_writes += 1

    # --- replies ------------------------------------------------------------------------------
    def reply_data(self, body: str) -> bytes:
        return f"{self.settings.address:02d}{body}".encode("ascii")

    def send(self, data: bytes) -> None:
        self._outbox += encode_safe(data) if self.safe_mode else encode_basic(data)

    def _handle_packet(self, packet: Packet) -> None:
        if not packet.valid:
            self.send(self.reply_data(f"{self.status_char()}?COM"))
            return
        if packet.framed and self.safe_mode:
            self.watchdog_deadline_s = self.t_s + self.settings.safe_mode_timeout_s
        execute(self, packet)
        if not self.safe_mode:
            self.watchdog_deadline_s = None
        elif packet.framed and self.watchdog_deadline_s is None:
            self.watchdog_deadline_s = self.t_s + self.settings.safe_mode_timeout_s
