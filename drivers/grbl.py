"""GRBL 1.1 stepper syringe pump driver (implements drivers.syringe_pump.SyringePump).

uL/h becomes a feed rate on one axis: feed_mm_per_min = rate_ul_per_h / 60 / plunger_area_mm2
(1 uL = 1 mm^3). Motion is one relative `G1` move per run; GRBL cannot change the feed of a queued move,
so a rate change while running holds (`!`), waits for Hold:0, soft-resets (0x18, which discards the
queued move and keeps the position after a completed hold) and restarts the remaining distance.
"""
from __future__ import annotations

import math
import time

from drivers import grbl_protocol as gp
from drivers.arguments import require_positive
from drivers.errors import DeviceAlarm, DeviceTimeout, LimitExceeded, ProtocolError
from drivers.lifecycle import OpenCloseLifecycle
from drivers.syringe_pump import PumpStatus, check_rate_ul_per_h, check_target_volume_ul, pop_oldest_alarm
from drivers.transport import Transport

AXES = "XYZ"
MAX_RATE_SETTING_BASE = 110  # $110..$112 max rate (mm/min); $100..$102 steps/mm


def plunger_area_mm2(diameter_mm: float) -> float:
    """Cross-section of a syringe of this inner diameter: uL per mm of plunger travel."""
    return math.pi * diameter_mm**2 / 4.0


class GrblSyringe(OpenCloseLifecycle):
    """A syringe on a GRBL axis. No I/O until open().

    steps_per_mm, diameter_mm: mechanics; open() checks steps_per_mm against the controller's $10x setting
    (verify_settings) and reads the axis maximum feed ($11x).
    max_rate_ul_per_h: rig maximum; a higher rate raises LimitExceeded and sends nothing [SR-DRV-001].
    min_feed_mm_per_min: GRBL's MINIMUM_FEED_RATE build constant (1.0 mm/min in stock config.h), below
    which the planner silently raises the feed; slower rates are refused instead [SR-DRV-006].
    travel_mm: plunger travel of a run without a target volume.
    banner_wait_s: how long open() listens for the boot banner an Arduino prints after the port opens
    (DTR reset) before it soft-resets GRBL itself.
    unlock_after_hold_reset: if a controller answers the soft reset that follows a *completed* feed hold
    with ALARM:3 (abort during cycle), send `$X`: no motion was under way, so the position is valid.
    """

    def __init__(
        self,
        transport: Transport,
        steps_per_mm: float,
        diameter_mm: float,
        max_rate_ul_per_h: float,
        *,
        axis: str = "X",
        infuse_direction: int = 1,
        travel_mm: float = 50.0,
        min_feed_mm_per_min: float = 1.0,
        reply_timeout_s: float = 1.0,
        banner_wait_s: float = 0.0,
        hold_timeout_s: float = 5.0,
        poll_interval_s: float = 0.02,
        verify_settings: bool = True,
        unlock_after_hold_reset: bool = True,
    ) -> None:
        for name, value in (("steps_per_mm", steps_per_mm), ("max_rate_ul_per_h", max_rate_ul_per_h),
                            ("travel_mm", travel_mm), ("min_feed_mm_per_min", min_feed_mm_per_min)):
            require_positive(name, value)
        if axis not in AXES or infuse_direction not in (1, -1):
            raise ValueError(f"axis must be one of {AXES!r} and infuse_direction +1 or -1, got {axis!r}, {infuse_direction}")
        self.transport = transport
        self.steps_per_mm = steps_per_mm
        self.max_rate_ul_per_h = max_rate_ul_per_h
        self.axis = axis
        self.infuse_direction = infuse_direction
        self.travel_mm = travel_mm
        self.min_feed_mm_per_min = min_feed_mm_per_min
        self.reply_timeout_s = reply_timeout_s
        self.banner_wait_s = banner_wait_s
        self.hold_timeout_s = hold_timeout_s
        self.poll_interval_s = poll_interval_s
        self.verify_settings = verify_settings
        self.unlock_after_hold_reset = unlock_after_hold_reset
        self.grbl_version: str | None = None
        self.max_feed_mm_per_min: float | None = None
        self.rate_ul_per_h: float | None = None
        self._diameter_mm = 0.0
        self._run_start_mm: float | None = None
        self.set_syringe_diameter_mm(diameter_mm)
        self._target_ul: float | None = None
        self._origin_mm: float | None = None
        self._run_distance_mm = 0.0
        self._alarms: list[str] = []
        self._restarted_in_run = False
        """GRBL restarted by itself while a move was under way: the move's start position means nothing now."""

    # --- lifecycle ------------------------------------------------------------------------------
    def open(self) -> None:
        self.transport.open()
        try:
            if not (self.banner_wait_s > 0 and self._await_banner(self.banner_wait_s)):
                self._soft_reset()
            report = self._query_status()
            if report.state == "Alarm":
                raise DeviceAlarm("alarm_lock", "GRBL starts in alarm state (homing required or $X to unlock)")
            self._read_settings()
            self._origin_mm = self._axis_mm(report)
            self._alarms.clear()
        except BaseException:
            self.transport.close()
            raise

    def close(self) -> None:
        """Release the port. Sends nothing: stop() first if the syringe should stop."""
        self.transport.close()

    # --- lines ----------------------------------------------------------------------------------
    def _read_line(self, timeout_s: float | None = None) -> str:
        """Next line that is not a push message; ALARM:N and banners are recorded as alarms."""
        while True:
            raw = self.transport.read_until(b"\n", self.reply_timeout_s if timeout_s is None else timeout_s)
            line = raw.decode("ascii", errors="replace").strip()
            if not line or line.startswith("[") or line.startswith(">"):
                continue  # [MSG:..], [GC:..], >startup lines: informational
            if not self._record_push(line):
                return line

    def _record_push(self, line: str) -> bool:
        """Record an ALARM:N line or an unrequested banner as an alarm; False for any other line."""
        code = gp.alarm_code(line)
        if code is not None:
            self._alarms.append(gp.alarm_name(code))
        elif gp.banner_version(line) is not None:
            self._alarms.append("reset")  # GRBL restarted without being asked: modal state and queue lost
            self._restarted_in_run = self._run_start_mm is not None
        else:
            return False
        return True

    def _command(self, line: str) -> list[str]:
        """Send one line and wait for ok; returns the lines before it. error:N raises."""
        if len(line) >= gp.LINE_BUFFER_BYTES:
            raise ValueError(f"GRBL line longer than {gp.LINE_BUFFER_BYTES - 1} bytes: {line!r}")
        alarms_before = len(self._alarms)
        self._discard_stale_input()
        self.transport.write(line.encode("ascii") + gp.LINE_END)
        lines = []
        while True:
            reply = self._read_line()
            if reply == "ok":
                return lines
            code = gp.error_code(reply)
            if code is not None:
                if len(self._alarms) > alarms_before:
                    raise DeviceAlarm(self._alarms[-1], f"GRBL rejected {line!r} with error:{code}")
                raise gp.GrblCommandError(code, line)
            lines.append(reply)

    def _query_status(self) -> gp.StatusReport:
        self._discard_stale_input()
        self.transport.write(gp.STATUS_QUERY)
        while True:
            line = self._read_line()
            if line.startswith("<"):
                return gp.parse_status_report(line)
            if line != "ok":
                raise ProtocolError(f"unexpected GRBL line {line!r} while waiting for a status report")

    def _discard_stale_input(self) -> None:
        """Drop lines that arrived outside an exchange (a reply that came after its timeout), so they are
        never taken for the next reply; ALARM:N lines and banners among them are still recorded."""
        for raw in self.transport.read_available().split(b"\n"):
            self._record_push(raw.decode("ascii", errors="replace").strip())

    def _await_banner(self, timeout_s: float) -> bool:
        deadline_s = time.monotonic() + timeout_s
        while (remaining_s := deadline_s - time.monotonic()) > 0:
            try:
                raw = self.transport.read_until(b"\n", remaining_s)
            except DeviceTimeout:
                return False
            line = raw.decode("ascii", errors="replace").strip()
            version = gp.banner_version(line)
            if version is not None:
                self.grbl_version = version  # the banner this reset asked for: not an alarm
                return True
            self._record_push(line)
        return False

    def _soft_reset(self) -> None:
        self.transport.write(gp.SOFT_RESET)
        if not self._await_banner(self.reply_timeout_s):
            raise DeviceTimeout(f"no GRBL banner within {self.reply_timeout_s} s after soft reset")

    def _read_settings(self) -> None:
        """Read the axis maximum feed ($11x) always (GRBL silently slows a faster feed); compare steps/mm ($10x)
        with the rig's value when verify_settings is set."""
        settings = dict(s for s in map(gp.parse_setting, self._command("$$")) if s is not None)
        index = AXES.index(self.axis)
        steps_key, rate_key = 100 + index, MAX_RATE_SETTING_BASE + index
        if rate_key not in settings or (self.verify_settings and steps_key not in settings):
            raise ProtocolError(f"GRBL $$ lacks ${steps_key} or ${rate_key}")
        if self.verify_settings and not math.isclose(settings[steps_key], self.steps_per_mm, rel_tol=1e-6):
            raise ProtocolError(
                f"GRBL ${steps_key}={settings[steps_key]} steps/mm, rig says steps_per_mm={self.steps_per_mm}")
        self.max_feed_mm_per_min = settings[rate_key]

    # --- conversions ----------------------------------------------------------------------------
    @property
    def plunger_area_mm2(self) -> float:
        return plunger_area_mm2(self._diameter_mm)

    def feed_mm_per_min(self, rate_ul_per_h: float) -> float:
        """Get the feed rate (mm/min) that delivers rate_ul_per_h with the current syringe."""
        return rate_ul_per_h / 60.0 / self.plunger_area_mm2

    def _axis_mm(self, report: gp.StatusReport) -> float:
        return report.position_mm[AXES.index(self.axis)]

    # --- SyringePump ----------------------------------------------------------------------------
    def set_syringe_diameter_mm(self, diameter_mm: float) -> None:
        require_positive("diameter_mm", diameter_mm)
        if self._run_start_mm is not None:
            raise ProtocolError("cannot change the syringe diameter while running; stop() first")
        self._diameter_mm = diameter_mm

    def set_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        check_rate_ul_per_h(rate_ul_per_h, self.max_rate_ul_per_h)
        feed = self.feed_mm_per_min(rate_ul_per_h)
        if feed < self.min_feed_mm_per_min:
            raise LimitExceeded(
                f"rate {rate_ul_per_h} uL/h needs feed {feed:.4g} mm/min, below GRBL's minimum "
                f"{self.min_feed_mm_per_min} mm/min (it would run faster); nothing sent [SR-DRV-006]")
        if self.max_feed_mm_per_min is not None and feed > self.max_feed_mm_per_min:
            raise LimitExceeded(
                f"rate {rate_ul_per_h} uL/h needs feed {feed:.4g} mm/min above the axis maximum "
                f"{self.max_feed_mm_per_min} mm/min; nothing sent")
        self.rate_ul_per_h = rate_ul_per_h
        if self._run_start_mm is not None:
            distance_mm, done_mm = self._run_distance_mm, self._hold_and_discard()
            if self._restarted_in_run:
                raise DeviceAlarm("reset", "GRBL restarted during the move: its position no longer counts from the "
                                  "move's start, so the rest of the move is unknown; stopped, nothing restarted")
            slack_mm = 2.0 / self.steps_per_mm + 1e-3  # step quantisation plus the 3-decimal position report
            if not -slack_mm <= done_mm <= distance_mm + slack_mm:
                raise ProtocolError(f"GRBL moved {done_mm:.4f} mm of a {distance_mm:.4f} mm move: the position does "
                                    f"not fit the move, so the rest is unknown; stopped, nothing restarted")
            self._move(max(distance_mm - done_mm, 0.0))  # within the slack: step quantisation only

    def set_target_volume_ul(self, volume_ul: float | None) -> None:
        check_target_volume_ul(volume_ul)
        self._target_ul = volume_ul

    def clear_infused_volume(self) -> None:
        self._origin_mm = self._axis_mm(self._query_status())

    def start(self) -> None:
        if self.rate_ul_per_h is None:
            raise ProtocolError("set_rate_ul_per_h() before start()")
        distance_mm = self.travel_mm if self._target_ul is None else self._target_ul / self.plunger_area_mm2
        self._move(distance_mm)

    def _move(self, distance_mm: float) -> None:
        assert self.rate_ul_per_h is not None
        self._restarted_in_run = False
        start_mm = self._axis_mm(self._query_status())
        feed = self.feed_mm_per_min(self.rate_ul_per_h)
        # one block, one round trip: millimetres and relative distance are set with the move they apply to
        self._command(f"G21G91G1{self.axis}{gp.gcode_number(self.infuse_direction * distance_mm)}"
                      f"F{gp.gcode_number(feed)}")
        self._run_start_mm, self._run_distance_mm = start_mm, distance_mm

    def _hold_and_discard(self) -> float:
        """Feed hold, wait for the hold to complete, soft-reset to drop the rest of the move; mm of the move done
        (0 when no move was under way)."""
        self.transport.write(gp.FEED_HOLD)
        deadline_s = time.monotonic() + self.hold_timeout_s
        report = self._query_status()
        while report.state in ("Run", "Jog") or (report.state == "Hold" and report.substate != 0):
            if time.monotonic() > deadline_s:
                raise DeviceTimeout(f"GRBL still {report.state} {self.hold_timeout_s} s after feed hold")
            time.sleep(self.poll_interval_s)
            report = self._query_status()
        if report.state == "Hold":
            alarms_before = len(self._alarms)
            self._soft_reset()
            report = self._query_status()
            if report.state == "Alarm" and self.unlock_after_hold_reset and \
                    self._alarms[alarms_before:] == [gp.alarm_name(3)]:
                # Reset after a completed hold: motion had stopped, so the position is valid (stock GRBL
                # raises no alarm here; controllers that raise ALARM:3 anyway are unlocked).
                self._command("$X")
                del self._alarms[alarms_before:]
                report = self._query_status()
        done_mm = 0.0
        if self._run_start_mm is not None:
            done_mm = (self._axis_mm(report) - self._run_start_mm) * self.infuse_direction
        self._run_start_mm = None
        if report.state == "Alarm":
            raise DeviceAlarm(self._alarms[-1] if self._alarms else "alarm", "GRBL in alarm state after stop")
        return done_mm

    def stop(self) -> None:
        """Hold, then soft-reset so no queued motion remains [SR-DRV-007]."""
        self._hold_and_discard()

    def status(self) -> PumpStatus:
        report = self._query_status()
        if self._run_start_mm is not None and report.state == "Idle":
            self._run_start_mm = None  # the move completed
        if report.state == "Alarm" and not self._alarms:
            self._alarms = ["alarm"]
        alarm = pop_oldest_alarm(self._alarms)
        origin_mm = self._origin_mm if self._origin_mm is not None else self._axis_mm(report)
        return PumpStatus(
            running=report.moving,
            infused_ul=(self._axis_mm(report) - origin_mm) * self.infuse_direction * self.plunger_area_mm2,
            alarm=alarm,
        )
