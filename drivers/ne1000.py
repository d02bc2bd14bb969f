"""New Era NE-1000 family syringe pump driver (implements drivers.syringe_pump.SyringePump).

Units at this boundary: uL/h and uL in, the pump's own units (UH/UM/MH/MM, UL/ML) on the wire.
"""
from __future__ import annotations

import math

from drivers import ne1000_codec as codec
from drivers.arguments import require_positive
from drivers.clock import DriverClock
from drivers.errors import DeviceAlarm, LimitExceeded, ProtocolError, SyringeMismatch
from drivers.lifecycle import OpenCloseLifecycle
from drivers.ne1000_link import NE1000Link
from drivers.syringe_pump import PumpStatus, check_rate_ul_per_h, check_target_volume_ul, pop_oldest_alarm
from drivers.transport import Transport

RUNNING_PROMPTS = frozenset("IWX")
"""Prompts for which the motor moves: infusing, withdrawing, purging."""
UNCOMMANDED_MOTION_ALARMS = {"W": "wrong_direction", "X": "purging"}
"""Motion this driver (infusion only) never commands -> the alarm each status() finding it reports, never infusion
(names the harness passes on as they are: the firmware's generic, high-priority actuator fault stops delivery)."""
DIAMETER_RANGE_MM = (0.1, 50.0)
"""Valid `DIA` range of the NE-1000/500 (manual)."""
SAFE_MODE_TIMEOUT_RANGE_S = (1, 255)
DEFAULT_SAFE_MODE_TIMEOUT_S = 10
"""Safe-mode communications watchdog the driver sets at open unless told otherwise."""
LEFTOVER_ALARMS_AT_OPEN = ("reset", "watchdog")
"""Alarms the first command after open may carry from before this host: the power-up reset, and the safe-mode
watchdog that fired when a previous host stopped talking (the pump stopped itself then). That command
acknowledges them and is re-sent; any other pending alarm (a stall) fails open."""
MAX_ALARM_REQUERY_COUNT = 3
"""A status read acknowledges at most this many alarms in a row before it reports."""
MAX_STOP_ATTEMPTS = 3


def _same_diameter(reported_mm: float, sent: codec.NE1000EncodedQuantity) -> bool:
    """Equal within half a unit of the sent text's last digit (the pump may print more digits)."""
    decimals = len(sent.text.partition(".")[2])
    return abs(reported_mm - sent.base_unit_value) <= 0.5 * 10.0 ** -decimals + 1e-12


class NE1000Pump(OpenCloseLifecycle):
    """NE-1000 on a Transport. No I/O until open().

    safe_mode: use the framed, CRC-checked protocol with the pump's communications watchdog set to
    safe_mode_timeout_s; a heartbeat status query every heartbeat_interval_s (default half the watchdog)
    keeps it fed, so the pump stops by itself if this host dies.
    max_rate_ul_per_h: rig maximum; a higher rate raises LimitExceeded and sends nothing [SR-DRV-001].
    max_rounding_fraction: largest relative change the 4-digit number format may make to a value;
    beyond it the command is refused rather than silently rounded [SR-DRV-006].
    program_phases_on_open: make phase 1 a rate phase infusing and phase 2 a stop phase, so a
    target volume ends the run instead of running into whatever phase 2 holds.
    framed_mode_command: send the opening `SAF` as a safe-mode packet whatever mode the pump is in
    (what nesp-lib and SweepMe do; that a basic-mode pump accepts it is unconfirmed), else as basic text.
    clock: the time the heartbeat interval is measured in (the rig's device clock; default wall time).
    """

    def __init__(
        self,
        transport: Transport,
        address: int = 0,
        safe_mode: bool = False,
        max_rate_ul_per_h: float = 10_000.0,
        *,
        safe_mode_timeout_s: int = DEFAULT_SAFE_MODE_TIMEOUT_S,
        heartbeat: bool = True,
        heartbeat_interval_s: float | None = None,
        reply_timeout_s: float = 1.0,
        com_retries: int = 1,
        max_rounding_fraction: float = 1e-3,
        program_phases_on_open: bool = True,
        expected_model: str | None = None,
        framed_mode_command: bool = True,
        clock: DriverClock | None = None,
    ) -> None:
        require_positive("max_rate_ul_per_h", max_rate_ul_per_h)
        low_s, high_s = SAFE_MODE_TIMEOUT_RANGE_S
        if not (isinstance(safe_mode_timeout_s, int) and low_s <= safe_mode_timeout_s <= high_s):
            raise ValueError(f"safe_mode_timeout_s must be an integer {low_s}..{high_s} s, got {safe_mode_timeout_s!r}")
        self._link = NE1000Link(transport, address, reply_timeout_s, com_retries, clock)
        self.transport = transport
        self.safe_mode = safe_mode
        self.safe_mode_timeout_s = safe_mode_timeout_s
        self.heartbeat = heartbeat
        if heartbeat_interval_s is not None and not (
                require_positive("heartbeat_interval_s", heartbeat_interval_s) < safe_mode_timeout_s):
            raise ValueError(f"heartbeat_interval_s must be below safe_mode_timeout_s {safe_mode_timeout_s} s, "
                             f"got {heartbeat_interval_s!r}")
        self.heartbeat_interval_s = safe_mode_timeout_s / 2 if heartbeat_interval_s is None else heartbeat_interval_s
        self.max_rate_ul_per_h = max_rate_ul_per_h
        self.max_rounding_fraction = max_rounding_fraction
        self.program_phases_on_open = program_phases_on_open
        self.expected_model = expected_model
        self.framed_mode_command = framed_mode_command
        self.firmware: codec.FirmwareVersion | None = None
        self.reset_seen_at_open = False
        self.open_findings: list[str] = []
        """What open and the syringe set-up found and dealt with (a leftover watchdog alarm, the diameter the pump
        had before): not errors, but worth keeping in a run's record."""
        self.commanded_rate_ul_per_h: float | None = None
        """The rate the pump was last given, as the 4-digit format expressed it."""
        self.rate_writes_while_stopped = 0
        """Rate changes the pump stores in non-volatile memory (every RAT sent while not pumping)."""
        self._rate_unit: str | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    def open(self) -> None:
        self.open_findings = []
        self.transport.open()
        try:
            self._link.drain_unsolicited()
            self._link.unsolicited_alarms.clear()  # the power-up A?R broadcast; acknowledged below
            self._set_mode()
            if (left := self._link.last_prompt) in RUNNING_PROMPTS:  # it would refuse programming while it runs
                self.stop()
                self.open_findings.append(f"NE-1000 was running at open (prompt {left}; a previous host left it so): "
                                          f"stopped with STP before anything else")
            self.firmware = codec.parse_version(self._command("VER").data)
            if self.expected_model is not None and self.firmware.model != self.expected_model:
                raise ProtocolError(f"expected an NE-{self.expected_model}, the pump reports NE-{self.firmware.model}")
            if self.program_phases_on_open:
                for command in ("PHN1", "FUNRAT", "DIRINF", "PHN2", "FUNSTP", "PHN1"):
                    self._command(command)
            self._rate_unit = self._query_unit("RAT", codec.RATE_UNITS_UL_PER_H)
            if self.safe_mode and self.heartbeat:
                self._link.start_heartbeat(self.heartbeat_interval_s)
        except BaseException:
            self.close()
            raise

    def _set_mode(self) -> None:
        """`SAF<n>` (or `SAF0`), sent in the framing chosen by framed_mode_command; its reply uses the new mode.

        It is the first command after open, so an alarm left from before this host (LEFTOVER_ALARMS_AT_OPEN) is
        acknowledged by it and it is re-sent: a power-up reset sets reset_seen_at_open, a watchdog that fired
        after a previous host stopped talking is kept in open_findings. A watchdog firing later, during a run,
        is an alarm like any other (status() reports it).
        """
        command = f"SAF{self.safe_mode_timeout_s if self.safe_mode else 0}"
        previous_alarm: str | None = None
        for _ in range(len(LEFTOVER_ALARMS_AT_OPEN) + 1):
            reply = self._link.exchange(command, request_safe=self.framed_mode_command, any_reply_framing=True)
            if reply.alarm is not None and reply.alarm == previous_alarm:
                # The alarm read before was its auto-alarm packet racing this open, and this frame the reply to the
                # previous SAF (which acknowledged it); the reply to this SAF comes next.
                reply = self._link.read_late_reply(None)
            if reply.alarm not in LEFTOVER_ALARMS_AT_OPEN:
                break
            previous_alarm = reply.alarm
            if reply.alarm == "reset":
                self.reset_seen_at_open = True
            else:
                self.open_findings.append(
                    f"NE-1000 had a safe-mode watchdog alarm (A?T) pending from before this open: a previous host "
                    f"stopped talking and the pump stopped itself; acknowledged by {command!r}")
        self._raise_for(reply, command)
        self._link.safe_mode = self.safe_mode

    def close(self) -> None:
        """Stop the heartbeat and release the port. Sends nothing: stop the pump first if it should stop."""
        self._link.stop_heartbeat()
        self.transport.close()

    # --- exchanges ------------------------------------------------------------------------------
    @staticmethod
    def _raise_for(reply: codec.NE1000Reply, command: str) -> None:
        if reply.alarm is not None:
            raise DeviceAlarm(reply.alarm, f"NE-1000 answered {command!r} with an alarm (now acknowledged)")
        if reply.error_code is not None:
            raise codec.NE1000CommandError(reply.error_code, command)

    def _command(self, command: str) -> codec.NE1000Reply:
        reply = self._link.exchange(command)
        self._raise_for(reply, command)
        return reply

    def _query_unit(self, command: str, unit_sizes: dict[str, float]) -> str:
        data = self._command(command).data
        codec.parse_quantity(data, unit_sizes)
        return data[-2:]

    def _encode(
        self, value: float, what: str, unit_sizes: dict[str, float], unit: str | None
    ) -> codec.NE1000EncodedQuantity:
        try:
            encoded = (
                codec.encode_in_unit(value, unit, unit_sizes) if unit else codec.encode_best_unit(value, unit_sizes)
            )
        except ValueError as exc:
            raise LimitExceeded(f"{what} {value} cannot be sent{f' in {unit}' if unit else ''}: {exc} "
                                "[SR-DRV-006]") from None
        if value and abs(encoded.base_unit_value - value) > self.max_rounding_fraction * value:
            raise LimitExceeded(f"{what} {value} would be sent as {encoded.text}{encoded.unit} = "
                                f"{encoded.base_unit_value}, more than {self.max_rounding_fraction:.2%} off; nothing "
                                "sent [SR-DRV-006]")
        return encoded

    # --- SyringePump ----------------------------------------------------------------------------
    def set_syringe_diameter_mm(self, diameter_mm: float) -> None:
        """`DIA`, then read back: a pump that does not report the diameter it was given raises SyringeMismatch
        naming both. A different diameter the pump had before is kept in open_findings (the syringe it was set up
        for). The syringe volume cannot be checked: the NE-1000 has no such setting."""
        low, high = DIAMETER_RANGE_MM
        if not (math.isfinite(diameter_mm) and low <= diameter_mm <= high):
            raise ValueError(f"syringe diameter must be {low}..{high} mm, got {diameter_mm}")
        encoded = self._encode(diameter_mm, "diameter_mm", {"": 1.0}, "")
        before_mm = self.syringe_diameter_mm()
        self._command(f"DIA{encoded.text}")
        after_mm = self.syringe_diameter_mm()
        if not _same_diameter(after_mm, encoded):
            raise SyringeMismatch(f"NE-1000 accepted DIA{encoded.text} but reports a {after_mm:g} mm syringe, not "
                                  f"the {encoded.base_unit_value:g} mm it was given [SR-DRV-011]")
        if not _same_diameter(before_mm, encoded):
            self.open_findings.append(f"NE-1000 was set for a {before_mm:g} mm syringe; set to {encoded.text} mm")

    def syringe_diameter_mm(self) -> float:
        """Measure the syringe diameter the pump computes volumes with (`DIA` query)."""
        return codec.parse_number(self._command("DIA").data)

    def set_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        check_rate_ul_per_h(rate_ul_per_h, self.max_rate_ul_per_h)
        running = self._link.last_prompt in RUNNING_PROMPTS
        # Units cannot change while pumping (?NA): keep the running unit [SR-DRV-008].
        encoded = self._encode(rate_ul_per_h, "rate_ul_per_h", codec.RATE_UNITS_UL_PER_H,
                               self._rate_unit if running else None)
        self._command(f"RAT{encoded.text}{encoded.unit}")
        if not running:
            self.rate_writes_while_stopped += 1
        self._rate_unit = encoded.unit
        self.commanded_rate_ul_per_h = encoded.base_unit_value

    def set_target_volume_ul(self, volume_ul: float | None) -> None:
        check_target_volume_ul(volume_ul)
        if volume_ul is None:
            self._command("VOL0")
            return
        unit = self._query_unit("VOL", codec.VOLUME_UNITS_UL)  # the pump picks UL/ML from the diameter
        encoded = self._encode(volume_ul, "volume_ul", codec.VOLUME_UNITS_UL, unit)
        self._command(f"VOL{encoded.text}")

    def clear_infused_volume(self) -> None:
        self._command("CLDINF")

    def start(self) -> None:
        self._command("RUN")

    def pause(self) -> None:
        """Pause the program (`STP` once while running: prompt P); start() resumes."""
        self._command("STP")

    def stop(self) -> None:
        """Stop and reset the program: `STP` until the prompt is S (running -> P -> S) [SR-DRV-007].

        An alarm carried by a reply is acknowledged by it and kept for status(); it does not stop stopping.
        """
        for _ in range(MAX_STOP_ATTEMPTS):
            reply = self._link.exchange("STP")
            if reply.alarm is not None:
                self._link.unsolicited_alarms.append(reply.alarm)
            elif reply.error_code is not None:
                raise codec.NE1000CommandError(reply.error_code, "STP")
            elif reply.prompt == "S":
                return
        raise ProtocolError(f"NE-1000 not stopped after {MAX_STOP_ATTEMPTS} STP commands (last prompt "
                            f"{self._link.last_prompt!r})")

    def status(self) -> PumpStatus:
        """Prompt and infused volume from one `DIS` exchange (every reply carries the prompt, so no status query is
        needed beside it); withdrawing or purging is an alarm (UNCOMMANDED_MOTION_ALARMS). Alarms (in the reply,
        auto-alarm packets, heartbeat, motion) are reported one per status, oldest first; an alarm reply acknowledges
        the alarm and `DIS` is sent again for the real prompt and volume. The same alarm seen twice in one read counts
        once, and others wait for the next."""
        reply = self._link.exchange("DIS")
        for _ in range(MAX_ALARM_REQUERY_COUNT):
            if reply.alarm is None:
                break
            self._link.unsolicited_alarms.append(reply.alarm)  # acknowledged now: kept even if the rest fails
            reply = self._link.exchange("DIS")
        self._raise_for(reply, "DIS")
        infused_ul, _withdrawn_ul = codec.parse_dispensed_ul(reply.data)
        if reply.prompt in UNCOMMANDED_MOTION_ALARMS:
            self._link.unsolicited_alarms.append(UNCOMMANDED_MOTION_ALARMS[reply.prompt])
        return PumpStatus(
            running=reply.prompt in RUNNING_PROMPTS,
            infused_ul=infused_ul,
            alarm=pop_oldest_alarm(self._link.unsolicited_alarms),
        )

    def query_prompt(self) -> str | None:
        """Measure the status prompt with one status-query exchange (raises DeviceAlarm on an alarm)."""
        return self._command("").prompt

    def prompt(self) -> str | None:
        """Get the last status character the pump sent (I, W, S, P, T, U, X), None before any reply."""
        return self._link.last_prompt

    def dispensed_ul(self) -> tuple[float, float]:
        """Measure (infused_ul, withdrawn_ul) from the pump's accumulators (`DIS`)."""
        return codec.parse_dispensed_ul(self._command("DIS").data)
