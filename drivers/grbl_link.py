"""The GRBL 1.1 line link over a Transport: commands answered `ok`/`error:N`, status queries, the soft reset, and
push messages (ALARM:N, an unrequested banner) recorded as alarms wherever they turn up.

Every exchange has one deadline, reply_timeout_s after its request, however many lines the device sends
meanwhile [SR-DRV-002].
"""
from __future__ import annotations

import math
import time

from drivers import grbl_protocol as gp
from drivers.clock import DriverClock
from drivers.errors import DeviceAlarm, DeviceTimeout, DriverError, ProtocolError
from drivers.grbl_modal import GC_PREFIX
from drivers.transport import Transport


class GrblLink:
    def __init__(self, transport: Transport, reply_timeout_s: float) -> None:
        self.transport = transport
        self.reply_timeout_s = reply_timeout_s
        self.grbl_version: str | None = None
        self.alarms: list[str] = []
        """Alarms seen and not yet reported (GrblSyringe.status() reports the oldest)."""
        self.resets_seen = 0
        """Banners nobody asked for: GRBL restarted by itself (modal state, queue and position lost)."""

    def deadline_s(self) -> float:
        return time.monotonic() + self.reply_timeout_s

    def record_push(self, line: str) -> bool:
        """Record an ALARM:N line or an unrequested banner as an alarm; False for any other line."""
        code = gp.alarm_code(line)
        if code is not None:
            self.alarms.append(gp.alarm_name(code))
        elif gp.banner_version(line) is not None:
            self.alarms.append("reset")  # GRBL restarted without being asked: modal state and queue lost
            self.resets_seen += 1
        else:
            return False
        return True

    def command(self, line: str) -> list[str]:
        """Send one line and wait for ok (within reply_timeout_s in all); returns the lines before it. error:N
        raises."""
        alarms_before = len(self.alarms)
        reply = self.burst([line]).replies[0]
        if reply.error_code is not None:
            if len(self.alarms) > alarms_before:
                raise DeviceAlarm(self.alarms[-1], f"GRBL rejected {line!r} with error:{reply.error_code}")
            raise gp.GrblCommandError(reply.error_code, line)
        return list(reply.lines)

    def read_axis_settings(self, axis_index: int, steps_per_mm: float | None) -> float:
        """The axis maximum feed ($110 + axis, mm/min: GRBL silently slows a faster feed), after comparing the axis
        steps/mm ($100 + axis) with steps_per_mm unless it is None; ProtocolError naming both on a mismatch."""
        settings = dict(s for s in map(gp.parse_setting, self.command("$$")) if s is not None)
        steps_key, rate_key = 100 + axis_index, 110 + axis_index
        if rate_key not in settings or (steps_per_mm is not None and steps_key not in settings):
            raise ProtocolError(f"GRBL $$ lacks ${steps_key} or ${rate_key}")
        if steps_per_mm is not None and not math.isclose(settings[steps_key], steps_per_mm, rel_tol=1e-6):
            raise ProtocolError(
                f"GRBL ${steps_key}={settings[steps_key]} steps/mm, rig says steps_per_mm={steps_per_mm}"
            )
        return settings[rate_key]

    def query_status(self) -> gp.StatusReport:
        report = self.burst([], status=True).report
        assert report is not None
        return report

    def burst(self, lines: list[str], status: bool = False, discard_stale: bool = True) -> gp.Burst:
        """Send `lines` and (with status) the `?` realtime byte in one write; read every line's ok/error:N and the
        status report as one burst, within reply_timeout_s in all [SR-DRV-002].

        Character counting: the lines must fit GRBL's receive buffer together (RX_BUFFER_BYTES - 1), and nothing
        else is outstanding (every burst is read to its end). The `?` never enters that buffer; GRBL may print its
        report before, between or after the line replies, so gp.Burst.report_after_lines says how many came first."""
        for line in lines:
            if len(line) >= gp.LINE_BUFFER_BYTES:
                raise ValueError(f"GRBL line longer than {gp.LINE_BUFFER_BYTES - 1} bytes: {line!r}")
        payload = b"".join(line.encode("ascii") + gp.LINE_END for line in lines)
        if len(payload) > gp.RX_BUFFER_BYTES - 1:
            raise ValueError(f"GRBL lines of {len(payload)} bytes do not fit its {gp.RX_BUFFER_BYTES - 1}-byte "
                             f"receive buffer together: {lines!r}")
        if discard_stale:  # False: the caller has just done so
            self.discard_stale_input()
        self.transport.write(payload + (gp.STATUS_QUERY if status else b""))
        deadline_s = self.deadline_s()
        replies: list[gp.LineReply] = []
        pending: list[str] = []
        report: gp.StatusReport | None = None
        report_after_lines = 0
        while len(replies) < len(lines) or (status and report is None):
            line = self._next_line(deadline_s, lines, status)
            if line == "ok":  # the most frequent line, and none of the kinds tested below
                if len(replies) < len(lines):  # else a late reply to an exchange that timed out: dropped
                    replies.append(gp.LineReply(tuple(pending), None))
                    pending = []
            elif line.startswith("<") and status and report is None:
                report, report_after_lines = gp.parse_status_report(line), len(replies)
            elif line.startswith(GC_PREFIX):
                pending.append(line)
            elif line.startswith("[") or line.startswith(">") or self.record_push(line):
                continue  # [MSG:..], >startup lines: informational; alarms and banners recorded
            elif (code := gp.error_code(line)) is not None:
                if len(replies) < len(lines):
                    replies.append(gp.LineReply(tuple(pending), code))
                    pending = []
            elif lines:
                pending.append(line)
            else:
                raise ProtocolError(f"unexpected GRBL line {line!r} while waiting for a status report")
        return gp.Burst(tuple(replies), report, report_after_lines)

    def _next_line(self, deadline_s: float, lines: list[str], status: bool) -> str:
        """Next non-empty line before deadline_s (time.monotonic()); DeviceTimeout naming what the burst of `lines`
        (and `?` with status) still awaited at the deadline, however many lines arrive [SR-DRV-002]."""
        while True:
            remaining_s = deadline_s - time.monotonic()
            if remaining_s <= 0:
                awaited = " and ".join(filter(None, (f"replies to {lines!r}" if lines else "",
                                                     "a status report" if status else "")))
                raise DeviceTimeout(f"no {awaited} from GRBL within {self.reply_timeout_s} s")
            line = self.transport.read_until(b"\n", remaining_s).decode("ascii", errors="replace").strip()
            if line:
                return line

    def discard_stale_input(self) -> None:
        """Drop lines that arrived outside an exchange (a reply that came after its timeout), so they are
        never taken for the next reply; ALARM:N lines and banners among them are still recorded."""
        stale = self.transport.read_available()
        if stale:
            for raw in stale.split(b"\n"):
                self.record_push(raw.decode("ascii", errors="replace").strip())

    def await_banner(self, timeout_s: float) -> bool:
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
            self.record_push(line)
        return False

    def soft_reset(self) -> None:
        self.transport.write(gp.SOFT_RESET)
        if not self.await_banner(self.reply_timeout_s):
            raise DeviceTimeout(f"no GRBL banner within {self.reply_timeout_s} s after soft reset")

    def reset_at_open(self, hold_timeout_s: float, poll_interval_s: float, unlock_after_hold_reset: bool,
                      clock: DriverClock) -> list[str]:
        """Soft-reset at open; a controller still moving (a previous host left motion queued) is held first, as a
        reset in motion would lock it (ALARM:3, position lost). What was found and done (none when it was not moving
        or gave no readable report: the reset comes first then, as before any report)."""
        try:
            report: gp.StatusReport | None = self.query_status()
        except DriverError:
            report = None
        if report is None or report.state not in ("Run", "Jog", "Hold"):
            self.soft_reset()
            return []
        self.hold_and_reset(hold_timeout_s, poll_interval_s, unlock_after_hold_reset, clock)
        return [f"GRBL was in {report.state} at open (a previous host left motion queued): held and reset before "
                f"anything else"]

    def hold_and_reset(self, hold_timeout_s: float, poll_interval_s: float, unlock_after_hold_reset: bool,
                       clock: DriverClock) -> gp.StatusReport:
        """Feed hold, wait for the hold to complete (Hold:0), soft-reset to drop the queued blocks; the report after.
        unlock_after_hold_reset: `$X` if the controller answers that reset with ALARM:3 anyway (motion had stopped,
        so the position is valid; stock GRBL raises no alarm there). The wait is polled on clock (the rig's)."""
        self.transport.write(gp.FEED_HOLD)
        deadline_s = clock.now_s() + hold_timeout_s
        report = self.query_status()
        while report.state in ("Run", "Jog") or (report.state == "Hold" and report.substate_code != 0):
            if clock.now_s() > deadline_s:
                raise DeviceTimeout(f"GRBL still {report.state} {hold_timeout_s} s after feed hold")
            clock.sleep_until_s(clock.now_s() + poll_interval_s)
            report = self.query_status()
        if report.state == "Hold":
            alarms_before = len(self.alarms)
            self.soft_reset()
            report = self.query_status()
            if (report.state == "Alarm" and unlock_after_hold_reset
                    and self.alarms[alarms_before:] == [gp.alarm_name(3)]):
                self.command("$X")
                del self.alarms[alarms_before:]
                report = self.query_status()
        return report
