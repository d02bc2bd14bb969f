"""Harvard Apparatus "pump chain" syringe pump driver (PHD ULTRA, Pump 11 Elite; KD Scientific Legato dialect):
implements drivers.syringe_pump.SyringePump.

Units at this boundary: uL/h and uL in; `ul/hr` (`nl/hr` below 1 uL/h) and `ul` on the wire. A reply ends with an
unterminated prompt, so each reply is read until the bytes end in a prompt, within one deadline of reply_timeout_s
after the request [SR-DRV-002]. The prompt tells the state: `:` idle, `>` infusing, `<` withdrawing, `*` stalled,
`T*` target reached. A stall is reported once per stall as the alarm "stall" [SR-DRV-005]. The pump does not
announce a power cycle: a pump found idle while this driver had it running (and no target reached) is reported as
the alarm "unexpected_stop". This driver only ever infuses: a pump found withdrawing is reported by every status()
that finds it so as the alarm "wrong_direction", never as infusion. A set command is answered by its prompt alone:
any text line in its reply (an error in whatever words) raises HarvardCommandError naming the command and the text.

Dead-host stop [SR-DRV-013]: the pump has no communications watchdog, so a run always has a target volume at most
`dead_host_horizon_s` of infusion ahead of the pump's counter (drivers.harvard_horizon). start() and rate changes set
it from a fresh counter reading; status() raises it when less than half the horizon is left (a `tvolume` after the
`ivolume`, every other read at a horizon of three read periods). A host that dies leaves the pump to infuse at most
the horizon and stop by itself with `T*`. A pump found at that target while this driver lives means the host polled
too late: it is reported as the alarm "dead_host_horizon_reached", never taken for a planned end.
"""
from __future__ import annotations

import math

from drivers import harvard_codec as codec
from drivers.arguments import require_positive
from drivers.errors import DeviceAlarm, FramingError, LimitExceeded, ProtocolError, SyringeMismatch
from drivers.harvard_horizon import DeadHostHorizon, RunTarget
from drivers.harvard_link import HarvardLink
from drivers.lifecycle import OpenCloseLifecycle
from drivers.syringe_pump import PumpStatus, check_rate_ul_per_h, check_target_volume_ul, pop_oldest_alarm
from drivers.transport import Transport

DEFAULT_BAUD = 115200
DIAMETER_RANGE_MM = (0.1, 50.0)
"""Syringe inner diameters the driver sends; the pump's own limits depend on the model [U]."""
MAX_STOP_ATTEMPTS = 3
RATE_UNITS = ("ul/hr", "nl/hr")
VOLUME_UNITS = ("ul", "nl")
UNEXPECTED_STOP = "unexpected_stop"
HORIZON_REACHED = "dead_host_horizon_reached"
WRONG_DIRECTION = "wrong_direction"
"""The pump withdraws (prompt `<`), which this driver never commands: a name the harness passes on unmapped, so the
firmware raises its generic, high-priority actuator fault, which stops delivery."""
DEFAULT_DEAD_HOST_HORIZON_S = 180.0
"""Three supervision periods of the firmware's default (60 s), as rigs derive theirs (hil.rig.motion_horizon)."""


class HarvardPump(OpenCloseLifecycle):
    """A Harvard pump-chain pump on a Transport. No I/O until open().

    dialect: "phd_ultra" (PHD ULTRA, Pump 11 Elite: `12:irate ...`) or "legato" (KDS Legato: `12irate ...`).
    text_line_address: the pump prints its address at the start of every text line (`LF 00 text CR`), as the Pump
    33 DDS manual notation shows; the exact layout per model is unconfirmed, hence the option.
    max_rate_ul_per_h: rig maximum; a higher rate raises LimitExceeded and sends nothing [SR-DRV-001].
    max_rounding_fraction: largest relative change the 4-decimal number format may make to a value; beyond it the
    command is refused [SR-DRV-006].
    dead_host_horizon_s: the most infusion (device seconds at the run's rate) the pump may do without this host; the
    target volume is topped up by status(), so status() must be called more often than that while running
    [SR-DRV-013].
    """

    def __init__(
        self,
        transport: Transport,
        address: int = 0,
        max_rate_ul_per_h: float = 10_000.0,
        *,
        dialect: str = "phd_ultra",
        reply_timeout_s: float = 1.0,
        text_line_address: bool = True,
        max_rounding_fraction: float = 1e-3,
        dead_host_horizon_s: float = DEFAULT_DEAD_HOST_HORIZON_S,
    ) -> None:
        require_positive("max_rate_ul_per_h", max_rate_ul_per_h)
        require_positive("reply_timeout_s", reply_timeout_s)
        codec.encode_command("", address, dialect)  # checks address and dialect
        self.transport = transport
        self._link = HarvardLink(transport, address, dialect, reply_timeout_s, text_line_address)
        """Keeps the address, dialect, reply timeout and text-line addressing the exchanges use."""
        self.max_rate_ul_per_h = max_rate_ul_per_h
        self.max_rounding_fraction = max_rounding_fraction
        self.horizon = DeadHostHorizon(dead_host_horizon_s)
        self.run_target: RunTarget | None = None
        """The target volume this driver last gave the pump for a run (None before the first start())."""
        self._caller_target_ul: float | None = None
        self.version: str | None = None
        self.open_findings: list[str] = []
        self.commanded_rate_ul_per_h: float | None = None
        self.last_prompt: str | None = None
        self._pending_alarms: list[str] = []
        self._stall_reported = False
        self._told_to_run = False

    # --- lifecycle ------------------------------------------------------------------------------
    def open(self) -> None:
        """Open the port, read the version (`ver`); a pump that is stalled at open fails it (DeviceAlarm)."""
        self.open_findings = []
        self._pending_alarms.clear()
        self._told_to_run = False
        self.run_target = None
        self.transport.open()
        try:
            self.transport.read_available()  # whatever a previous session left on the line
            try:
                reply = self._query("ver")
            except codec.HarvardCommandError as exc:  # the pump still held part of a line a previous host sent
                self.open_findings.append(f"'ver' refused at open ({exc.text!r}): the pump held part of a line a "
                                          f"previous host left; asked again")
                reply = self._query("ver")
            self.version = reply.lines[0] if reply.lines else ""
            if reply.prompt == codec.STALL_PROMPT:
                raise DeviceAlarm("stall", "Harvard pump is stalled at open (prompt '*'); clear it at the pump")
            if reply.prompt in codec.RUNNING_PROMPTS:
                self.open_findings.append(f"Harvard pump was {codec.PROMPTS[reply.prompt]} at open")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the port. Sends nothing: stop the pump first if it should stop."""
        self.transport.close()

    # --- exchanges ------------------------------------------------------------------------------
    def _exchange(self, command: str) -> codec.HarvardReply:
        reply = self._link.exchange(command)
        self._note_prompt(reply.prompt)
        return reply

    def _note_prompt(self, prompt: str) -> None:
        self.last_prompt = prompt
        if prompt == codec.STALL_PROMPT:
            if not self._stall_reported:
                self._pending_alarms.append("stall")
                self._stall_reported = True
            self._told_to_run = False
        else:
            self._stall_reported = False
        if prompt == "T*":
            if self._told_to_run and (self.run_target is None or self.run_target.is_horizon):
                self._pending_alarms.append(HORIZON_REACHED)  # the host came too late [SR-DRV-013]
            self._told_to_run = False

    def _command(self, command: str) -> codec.HarvardReply:
        """A set command (or an action): answered by its prompt alone."""
        reply = self._exchange(command)
        codec.refuse_text(reply.lines, command)
        return reply

    def _query(self, command: str) -> codec.HarvardReply:
        reply = self._exchange(command)
        if reply.error is not None:
            raise codec.HarvardCommandError(reply.error, command)
        return reply

    def _encode(self, value: float, what: str, units: tuple[str, ...], sizes: dict[str, float]) -> str:
        try:
            encoded = codec.encode_quantity(value, units, sizes)
        except ValueError as exc:
            raise LimitExceeded(f"{what} {value} cannot be sent: {exc} [SR-DRV-006]") from None
        if abs(encoded.base_unit_value - value) > self.max_rounding_fraction * value:
            raise LimitExceeded(f"{what} {value} would be sent as {encoded.text} = {encoded.base_unit_value}, "
                                f"more than {self.max_rounding_fraction:.2%} off; nothing sent [SR-DRV-006]")
        return encoded.text

    # --- SyringePump ----------------------------------------------------------------------------
    def set_syringe_diameter_mm(self, diameter_mm: float) -> None:
        """`diameter <mm>`, then read back: a pump reporting another diameter raises SyringeMismatch."""
        low, high = DIAMETER_RANGE_MM
        if isinstance(diameter_mm, bool) or not (math.isfinite(diameter_mm) and low <= diameter_mm <= high):
            raise ValueError(f"syringe diameter must be {low}..{high} mm, got {diameter_mm!r}")
        text = f"{diameter_mm:.{codec.MAX_DECIMAL_DIGITS}f}"
        before_mm = self.syringe_diameter_mm()
        self._command(f"diameter {text}")
        after_mm = self.syringe_diameter_mm()
        if abs(after_mm - float(text)) > 0.5 * 10.0 ** -codec.MAX_DECIMAL_DIGITS:
            raise SyringeMismatch(f"Harvard pump accepted diameter {text} but reports {after_mm:g} mm")
        if abs(before_mm - float(text)) > 0.5 * 10.0 ** -codec.MAX_DECIMAL_DIGITS:
            self.open_findings.append(f"Harvard pump was set for a {before_mm:g} mm syringe; set to {text} mm")

    def syringe_diameter_mm(self) -> float:
        """Measure the syringe diameter the pump computes volumes with (`diameter` query)."""
        return codec.parse_quantity(self._text("diameter"), {"mm": 1.0}, "diameter")

    def set_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        """`irate <v> ul/hr`; applied at once when infusing."""
        check_rate_ul_per_h(rate_ul_per_h, self.max_rate_ul_per_h)
        text = self._encode(rate_ul_per_h, "rate_ul_per_h", RATE_UNITS, codec.RATE_UNITS_UL_PER_H)
        rate_sent_ul_per_h = codec.parse_quantity(text, codec.RATE_UNITS_UL_PER_H, "rate")
        if not self._told_to_run:
            self._command(f"irate {text}")
            self.commanded_rate_ul_per_h = rate_sent_ul_per_h
            return
        # Running: the target moves with the rate, and whichever goes first keeps it ahead of the pump meanwhile
        infused_ul = self._infused_ul()
        faster = rate_sent_ul_per_h > (self.commanded_rate_ul_per_h or 0.0)
        if faster:
            self._set_run_target(infused_ul, rate_sent_ul_per_h)
        self._command(f"irate {text}")
        self.commanded_rate_ul_per_h = rate_sent_ul_per_h
        if not faster:
            self._set_run_target(infused_ul, rate_sent_ul_per_h)

    def infusion_rate_ul_per_h(self) -> float:
        """Measure the infusion rate the pump holds (`irate` query)."""
        return codec.parse_quantity(self._text("irate"), codec.RATE_UNITS_UL_PER_H, "irate")

    def set_target_volume_ul(self, volume_ul: float | None) -> None:
        """`tvolume <v> ul`, or `ctvolume` for None. The pump stops (prompt T*) when its infused-volume counter
        reaches the target, so clear the counter first to count from now. While running, the pump's target is the
        nearer of this one and the dead-host horizon's."""
        check_target_volume_ul(volume_ul)
        if volume_ul is not None:
            self._encode(volume_ul, "volume_ul", VOLUME_UNITS, codec.VOLUME_UNITS_UL)  # refused before anything
        self._caller_target_ul = volume_ul
        if self._told_to_run:
            rate_ul_per_h = self._run_rate_ul_per_h()
            self._set_run_target(self._infused_ul(), rate_ul_per_h)
        elif volume_ul is None:
            self._command("ctvolume")
        else:
            self._command(f"tvolume {self._encode(volume_ul, 'volume_ul', VOLUME_UNITS, codec.VOLUME_UNITS_UL)}")

    def clear_infused_volume(self) -> None:
        """`civolume`; while running, the target is set again from the cleared counter [SR-DRV-013]."""
        self._command("civolume")
        if self._told_to_run:
            self._set_run_target(0.0, self._run_rate_ul_per_h())

    def start(self) -> None:
        """A target the dead-host horizon ahead of the counter (`ivolume`, `tvolume`), then `irun` [SR-DRV-013]."""
        rate_ul_per_h = self._run_rate_ul_per_h()
        self._set_run_target(self._infused_ul(), rate_ul_per_h)
        self._command("irun")
        self._told_to_run = True

    def stop(self) -> None:
        """`stop` until the prompt is not a running one [SR-DRV-007]. A stall in a reply is kept for status(); text in
        any reply raises HarvardCommandError once the pump is stopped."""
        self._told_to_run = False
        texts: list[str] = []
        for _ in range(MAX_STOP_ATTEMPTS):
            reply = self._exchange("stop")
            texts += reply.lines
            if reply.prompt not in codec.RUNNING_PROMPTS:
                codec.refuse_text(texts, "stop")
                return
        raise ProtocolError(f"Harvard pump still running after {MAX_STOP_ATTEMPTS} stop commands "
                            f"(prompt {self.last_prompt!r}; text in the replies: {texts!r})")

    def status(self) -> PumpStatus:
        """One `ivolume` exchange: its prompt gives the state, its line the infused volume. Alarms are reported one
        per status, oldest first."""
        told_to_run = self._told_to_run
        reply = self._query("ivolume")
        infused_ul = codec.parse_quantity(self._only_line(reply, "ivolume"), codec.VOLUME_UNITS_UL, "ivolume")
        if told_to_run and reply.prompt == ":":
            self._told_to_run = False
            self._pending_alarms.append(UNEXPECTED_STOP)
        if reply.prompt == "<":  # never commanded: this driver only infuses
            self._pending_alarms.append(WRONG_DIRECTION)
        running = reply.prompt in codec.RUNNING_PROMPTS
        if running and self._told_to_run:
            rate_ul_per_h = self._run_rate_ul_per_h()
            if self.horizon.needs_top_up(self.run_target, infused_ul, rate_ul_per_h):
                self._set_run_target(infused_ul, rate_ul_per_h)  # the top-up [SR-DRV-013]
        return PumpStatus(running=running, infused_ul=infused_ul, alarm=pop_oldest_alarm(self._pending_alarms))

    def prompt(self) -> str | None:
        """The last prompt the pump sent (`:` `>` `<` `*` `T*`), None before any reply."""
        return self.last_prompt

    # --- helpers --------------------------------------------------------------------------------
    def _infused_ul(self) -> float:
        return codec.parse_quantity(self._text("ivolume"), codec.VOLUME_UNITS_UL, "ivolume")

    def _run_rate_ul_per_h(self) -> float:
        if self.commanded_rate_ul_per_h is None:
            raise ProtocolError("set_rate_ul_per_h() before start(): the run's dead-host target volume is sized from "
                                "the rate [SR-DRV-013]")
        return self.commanded_rate_ul_per_h

    def _set_run_target(self, infused_ul: float, rate_ul_per_h: float) -> None:
        """`tvolume` at the nearer of the caller's target and the horizon ahead of infused_ul [SR-DRV-013]."""
        wanted = self.horizon.target(infused_ul, rate_ul_per_h, self._caller_target_ul)
        text = self._encode(wanted.target_ul, "target volume_ul", VOLUME_UNITS, codec.VOLUME_UNITS_UL)
        self._command(f"tvolume {text}")
        self.run_target = RunTarget(codec.parse_quantity(text, codec.VOLUME_UNITS_UL, "tvolume"), wanted.is_horizon)

    def _text(self, command: str) -> str:
        return self._only_line(self._query(command), command)

    @staticmethod
    def _only_line(reply: codec.HarvardReply, command: str) -> str:
        if len(reply.lines) != 1:
            raise FramingError(f"Harvard reply to {command!r} has {len(reply.lines)} text lines, expected 1: "
                               f"{reply.lines[:3]!r}")
        return reply.lines[0]
