"""GRBL 1.1 device core: realtime bytes, the 128-byte receive buffer, line parsing, alarms, reports.

Pure: bytes in, bytes out at clock time t_s. Lines leave the receive buffer only while the planner
has room, so a host that overfills the buffer loses bytes exactly as on the real controller.
"""
from __future__ import annotations

import functools
import re
from typing import ClassVar

from hil.emulators.faults import EmulatorError, Fault, validate_pump_fault
from hil.emulators.grbl_config import GrblConfig
from hil.emulators.grbl_corruption import MoveCorruption, corrupt, is_move, parse_corruption
from hil.emulators.grbl_commanded import GrblParserState
from hil.emulators.grbl_gcode import REMEMBERED_PARSED_LINES, GcodeError, execute_gcode
from hil.emulators.grbl_motion import Motion
from hil.emulators.grbl_settings import default_settings
from hil.emulators.grbl_system import execute_system
from hil.emulators.line_output import drain_lines
from hil.emulators.syringe import OUTLET_FAULT_TEXT, OUTLET_FAULTS, apply_outlet_fault, syringe_from

STATUS_REPORT, FEED_HOLD, CYCLE_START, SOFT_RESET, JOG_CANCEL = 0x3F, 0x21, 0x7E, 0x18, 0x85
UNLOCK_MESSAGE = "[MSG:'$H'|'$X' to unlock]"
_REALTIME = frozenset([STATUS_REPORT, FEED_HOLD, CYCLE_START, SOFT_RESET, *range(0x80, 0x100)])
_TOKENS = re.compile(rb"[?!~\x18\x80-\xff]|[^?!~\x18\x80-\xff\r\n]*[\r\n]|[^?!~\x18\x80-\xff\r\n]+")
"""A realtime byte, or a run of other bytes up to and including a line end (or up to the data's end)."""
_LINE_END = re.compile(rb"[\r\n]")


class GrblCore:
    FAULTS: ClassVar[dict[Fault, str]] = {
        Fault.STALL: "the stepper loses every step (open loop: GRBL still reports motion) until clear_stall",
        Fault.CLEAR_STALL: "the stepper moves the plunger again",
        Fault.OCCLUSION: "the outlet blocks: the plunger compresses `compliance_ul`, then the motor loses steps",
        Fault.POWER_RESET: "power cycle: planner, buffer and position lost, banner sent again",
        Fault.CORRUPT_MOVE: "the next `count` move lines arrive as other valid G-code: `kind` units (G21->G20), "
        "distance (G91->G90), motion (G1->G0) or feed_scale (F x `factor`); GRBL accepts them with ok",
        **OUTLET_FAULT_TEXT,
    }

    def __init__(self, config: GrblConfig, t_s: float = 0.0) -> None:
        self.config = config
        self.settings = default_settings(config)
        self.syringe = syringe_from(config)
        self.motion = Motion(self.syringe, config.infuse_axis_sign)
        self.motion.t_s = t_s
        self.rx_buffer = bytearray()
        self._overlong_line = False
        """The line being received passed the line buffer; its bytes were dropped (error:11 at its end)."""
        self.alarm = False
        self.critical_alarm = False
        self.modal: GrblParserState = {"motion": "G0", "distance": "G90", "units": "G21", "feed_mm_per_min": 0.0}
        self._corruption: MoveCorruption | None = None
        self._corrupt_moves_left = 0
        self._out: list[str] = []
        self._boot()

    def baud(self) -> int:
        return self.config.baud

    # --- entry points -------------------------------------------------------------------------
    def receive(self, data: bytes, t_s: float) -> bytes:
        self._advance(t_s)
        # In arrival order: a realtime byte acts at once; other bytes enter the receive buffer up to its size (the
        # rest is lost), and every line they complete is parsed before the next byte, as byte by byte.
        for token in _TOKENS.findall(data):
            if len(token) == 1 and token[0] in _REALTIME:
                self._realtime(token[0])
                self._process_lines()
            else:
                self._take(token)  # parses every line it completes
        return self._drain()

    def _take(self, data: bytes) -> None:
        """Bytes into the receive buffer up to its size (the rest is lost). GRBL's main loop reads a line out of it as
        it comes, so a line longer than the line buffer does not fill it: its bytes are dropped once it passes the
        line buffer, and its end gets error:11 (a line of 128 bytes filled the buffer and left it full for good, no
        line answered again until a soft reset). While a whole line waits (a full planner) nothing is read."""
        line_bytes = self.config.line_buffer_bytes
        while data:
            room = self.config.rx_buffer_bytes - 1 - len(self.rx_buffer)
            partial = _LINE_END.search(self.rx_buffer) is None
            count = min(room, line_bytes + 1 - len(self.rx_buffer)) if partial else room
            if count <= 0:  # full, or nothing read (a critical alarm): the rest is lost
                return
            self.rx_buffer += data[:count]
            data = data[count:]
            self._process_lines()

    def poll(self, t_s: float) -> bytes:
        self._advance(t_s)
        self._process_lines()
        return self._drain()

    def validate_fault(self, name: Fault, params: dict) -> None:
        if name == Fault.CORRUPT_MOVE:
            parse_corruption(params)
        else:
            validate_pump_fault(name, params)

    def apply_fault(self, name: Fault, t_s: float, params: dict) -> bytes:
        self.validate_fault(name, params)
        self._advance(t_s)
        if name in (Fault.STALL, Fault.CLEAR_STALL):
            self.motion.motor_jammed = name == Fault.STALL
        elif name in OUTLET_FAULTS:
            apply_outlet_fault(self.syringe, self.config, name, params)
        elif name == Fault.CORRUPT_MOVE:
            self._corruption, self._corrupt_moves_left = parse_corruption(params)
        elif name == Fault.POWER_RESET:
            self.motion.position_mm = [0.0, 0.0, 0.0]
            self.critical_alarm = self.alarm = False
            self._reset()
        else:
            raise EmulatorError(f"GRBL: unknown fault {str(name)!r}")
        return self._drain()

    # --- state --------------------------------------------------------------------------------
    def state_name(self) -> str:
        if self.alarm:
            return "Alarm"
        if self.motion.held:
            return "Hold:0"
        if self.motion.busy:
            return "Jog" if self.motion.planner[0].jog else "Run"
        return "Idle"

    def physical_per_grbl_mm(self) -> float:
        return self.settings[100] / self.config.steps_per_mm

    def _advance(self, t_s: float) -> None:
        while self.motion.advance_to(t_s, self.physical_per_grbl_mm()) == "end_stop":
            if self.config.hard_limits:  # else the motor just loses steps at the end stop
                self.motion.planner.clear()
                self.motion.held = False
                self.alarm = self.critical_alarm = True
                self._out += ["ALARM:1", "[MSG:Reset to continue]"]

    def _realtime(self, byte: int) -> None:
        if byte == STATUS_REPORT:
            self._out.append(self.status_report())
        elif byte == FEED_HOLD and self.motion.busy and not self.alarm:
            self.motion.held = True
        elif byte == CYCLE_START and self.motion.held:
            self.motion.held = False
        elif byte == SOFT_RESET:
            # Motion stops without deceleration here, so a hold is complete (Hold:0) at once; stock
            # GRBL raises ALARM:3 only for a reset while moving or still decelerating, not after Hold:0.
            if self.motion.busy and not self.motion.held and not self.alarm:
                self._out.append("ALARM:3")  # reset during motion: position may be lost
                self.alarm = True
            self._reset()
        elif byte == JOG_CANCEL and self.motion.busy and self.motion.planner[0].jog:
            self.motion.planner.clear()
            self.motion.held = False

    def status_report(self) -> str:
        x, y, z = self.motion.position_mm
        # + 0.0: no "-0.000"
        fields = [self.state_name(), f"MPos:{round(x, 3) + 0.0:.3f},{round(y, 3) + 0.0:.3f},{round(z, 3) + 0.0:.3f}"]
        if int(self.settings[10]) & 2:
            planner_free = self.config.planner_blocks - len(self.motion.planner)
            fields.append(f"Bf:{planner_free},{self.config.rx_buffer_bytes - 1 - len(self.rx_buffer)}")
        fields.append(f"FS:{self.motion.current_speed_mm_per_min():.0f},0")
        return "<" + "|".join(fields) + ">"

    def _boot(self) -> None:
        self._out += ["", f"Grbl {self.config.version} ['$' for help]"]
        if self.alarm:
            self._out.append(UNLOCK_MESSAGE)

    def _reset(self) -> None:
        self.motion.planner.clear()
        self.motion.held = False
        self.rx_buffer.clear()
        self._overlong_line = False
        self.critical_alarm = False
        self.modal.update({"motion": "G0", "distance": "G90", "units": "G21"})
        self._boot()

    # --- lines --------------------------------------------------------------------------------
    def _process_lines(self) -> None:
        while not self.critical_alarm:
            line_end = _LINE_END.search(self.rx_buffer)
            if line_end is None:
                if len(self.rx_buffer) > self.config.line_buffer_bytes:  # read out as it comes: past the line buffer
                    self.rx_buffer.clear()
                    self._overlong_line = True
                return
            end = line_end.start()
            raw = bytes(self.rx_buffer[:end])
            if len(self.motion.planner) >= self.config.planner_blocks and raw.strip()[:1] not in (b"$", b""):
                return  # planner full: the line waits in the receive buffer
            del self.rx_buffer[: end + 1]
            self._out.append("error:11" if self._overlong_line else self._line_reply(raw))
            self._overlong_line = False

    def _line_reply(self, raw: bytes) -> str:
        if len(raw) > self.config.line_buffer_bytes:
            return "error:11"
        try:
            line = _clean(raw.decode("ascii"))
        except UnicodeDecodeError:
            return "error:1"
        try:
            if line.startswith("$"):
                return execute_system(self, line)
            if line and self.alarm:
                return "error:9"
            if self._corrupt_moves_left and self._corruption is not None and is_move(line):
                self._corrupt_moves_left -= 1
                line = corrupt(line, self._corruption)
            execute_gcode(self, line, jog=False)
        except GcodeError as error:
            return f"error:{error.code}"
        return "ok"

    def _drain(self) -> bytes:
        return drain_lines(self._out)


_BLANKS = {code: None for code in [*range(0x21), 0x7F]}
"""Whitespace and control characters of an ASCII line, which GRBL's parser drops."""


@functools.lru_cache(maxsize=REMEMBERED_PARSED_LINES)
def _clean(line: str) -> str:
    """Comments, whitespace and control characters removed, upper-cased, as GRBL's parser does. Pure, so remembered
    (a run sends the same lines again and again)."""
    if "(" not in line and ";" not in line:
        return line.translate(_BLANKS).upper()  # no comment: the same as the loop below, without it
    out, in_paren = [], False
    for ch in line:
        if in_paren:
            in_paren = ch != ")"
        elif ch == "(":
            in_paren = True
        elif ch == ";":
            break
        elif ch.isprintable() and not ch.isspace():
            out.append(ch.upper())
    return "".join(out)
