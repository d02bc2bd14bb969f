"""The GRBL 1.1 line link over a Transport: commands answered `ok`/`error:N`, status queries, the soft reset, and
push messages (ALARM:N, an unrequested banner) recorded as alarms wherever they turn up.

Every exchange has one deadline, reply_timeout_s after its request, however many lines the device sends
meanwhile [SR-DRV-002].
"""
from __future__ import annotations

import time

from drivers import grbl_protocol as gp
from drivers.errors import DeviceAlarm, DeviceTimeout, ProtocolError
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

    def read_line(self, deadline_s: float, awaited: str) -> str:
        """Next line that is not a push message, before deadline_s (time.monotonic()); ALARM:N and banners are
        recorded as alarms. However many lines arrive, DeviceTimeout at the deadline [SR-DRV-002]."""
        while True:
            remaining_s = deadline_s - time.monotonic()
            if remaining_s <= 0:
                raise DeviceTimeout(f"no {awaited} from GRBL within {self.reply_timeout_s} s "
                                    f"(the device sent other lines meanwhile)")
            raw = self.transport.read_until(b"\n", remaining_s)
            line = raw.decode("ascii", errors="replace").strip()
            if not line or line.startswith("[") or line.startswith(">"):
                continue  # [MSG:..], [GC:..], >startup lines: informational
            if not self.record_push(line):
                return line

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
        if len(line) >= gp.LINE_BUFFER_BYTES:
            raise ValueError(f"GRBL line longer than {gp.LINE_BUFFER_BYTES - 1} bytes: {line!r}")
        alarms_before = len(self.alarms)
        self.discard_stale_input()
        self.transport.write(line.encode("ascii") + gp.LINE_END)
        deadline_s = self.deadline_s()
        lines = []
        while True:
            reply = self.read_line(deadline_s, f"'ok' to {line!r}")
            if reply == "ok":
                return lines
            code = gp.error_code(reply)
            if code is not None:
                if len(self.alarms) > alarms_before:
                    raise DeviceAlarm(self.alarms[-1], f"GRBL rejected {line!r} with error:{code}")
                raise gp.GrblCommandError(code, line)
            lines.append(reply)

    def query_status(self) -> gp.StatusReport:
        self.discard_stale_input()
        self.transport.write(gp.STATUS_QUERY)
        deadline_s = self.deadline_s()
        while True:
            line = self.read_line(deadline_s, "status report")
            if line.startswith("<"):
                return gp.parse_status_report(line)
            if line != "ok":
                raise ProtocolError(f"unexpected GRBL line {line!r} while waiting for a status report")

    def discard_stale_input(self) -> None:
        """Drop lines that arrived outside an exchange (a reply that came after its timeout), so they are
        never taken for the next reply; ALARM:N lines and banners among them are still recorded."""
        for raw in self.transport.read_available().split(b"\n"):
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
