"""GRBL 1.1 stepper syringe pump driver (implements drivers.syringe_pump.SyringePump).

uL/h becomes a feed rate on one axis: feed_mm_per_min = rate_ul_per_h / 60 / plunger_area_mm2
(1 uL = 1 mm^3). A run is a chain of relative `G1` blocks at one feed that never queues more than
`motion_horizon_s` of motion ahead of the machine (GRBL has no watchdog: a dead host's stepper stops within
the horizon); status(), start() and rate changes top the queue up (drivers.grbl_run) [SR-DRV-010], each move with
a `$G` check of the parser state in the same write (drivers.grbl_modal) [SR-DRV-012]. GRBL
cannot change the feed of a queued move, so a rate change while running holds (`!`), waits for Hold:0,
soft-resets (0x18, which discards the queued blocks and keeps the position after a completed hold) and
restarts the rest of the run. Every exchange has one deadline, however many lines the device sends.
"""
from __future__ import annotations

from drivers import grbl_protocol as gp
from drivers.arguments import require_positive
from drivers.clock import DriverClock, MonotonicClock
from drivers.errors import DeviceAlarm, LimitExceeded, ProtocolError
from drivers.grbl_link import GrblLink
from drivers.grbl_modal import check_move_replies
from drivers.grbl_run import RunPlan
from drivers.lifecycle import OpenCloseLifecycle
from drivers.syringe_pump import (PumpStatus, check_rate_ul_per_h, check_target_volume_ul, plunger_area_mm2,
                                  pop_oldest_alarm)
from drivers.transport import Transport
from drivers.units import MIN_PER_H, S_PER_MIN

AXES = "XYZ"
DEFAULT_MOTION_HORIZON_S = 180.0
"""Three supervision periods of the firmware's default (60 s), as rigs derive theirs (hil.rig.motion_horizon)."""


class GrblSyringe(OpenCloseLifecycle):
    """A syringe on a GRBL axis. No I/O until open().

    steps_per_mm, diameter_mm: mechanics; open() checks steps_per_mm against the controller's $10x setting
    (verify_settings) and reads the axis maximum feed ($11x).
    max_rate_ul_per_h: rig maximum; a higher rate raises LimitExceeded and sends nothing [SR-DRV-001].
    min_feed_mm_per_min: GRBL's MINIMUM_FEED_RATE build constant (1.0 mm/min in stock config.h), below
    which the planner silently raises the feed; slower rates are refused instead [SR-DRV-006].
    travel_mm: plunger travel of a run without a target volume.
    motion_horizon_s: the most motion (in seconds at the run's feed) ever queued in GRBL; the queue is topped
    up by status(), so status() must be called more often than that while running [SR-DRV-010].
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
        motion_horizon_s: float = DEFAULT_MOTION_HORIZON_S,
        min_feed_mm_per_min: float = 1.0,
        reply_timeout_s: float = 1.0,
        banner_wait_s: float = 0.0,
        hold_timeout_s: float = 5.0,
        poll_interval_s: float = 0.02,
        verify_settings: bool = True,
        unlock_after_hold_reset: bool = True,
        clock: DriverClock | None = None,
    ) -> None:
        for name, value in (("steps_per_mm", steps_per_mm), ("max_rate_ul_per_h", max_rate_ul_per_h),
                            ("travel_mm", travel_mm), ("min_feed_mm_per_min", min_feed_mm_per_min),
                            ("motion_horizon_s", motion_horizon_s)):
            require_positive(name, value)
        if axis not in AXES or infuse_direction not in (1, -1):
            raise ValueError(f"axis must be one of {AXES!r} and infuse_direction +1 or -1, got {axis!r}, "
                             f"{infuse_direction}")
        self.transport = transport
        self.steps_per_mm = steps_per_mm
        self.max_rate_ul_per_h = max_rate_ul_per_h
        self.axis, self.infuse_direction = axis, infuse_direction
        self.travel_mm, self.motion_horizon_s = travel_mm, motion_horizon_s
        self.min_feed_mm_per_min = min_feed_mm_per_min
        self.reply_timeout_s, self.banner_wait_s = reply_timeout_s, banner_wait_s
        self.hold_timeout_s, self.poll_interval_s = hold_timeout_s, poll_interval_s
        self.clock: DriverClock = clock if clock is not None else MonotonicClock()
        """Feed-hold polling time (the rig's device clock)."""
        self.verify_settings, self.unlock_after_hold_reset = verify_settings, unlock_after_hold_reset
        self.max_feed_mm_per_min: float | None = None
        self.rate_ul_per_h: float | None = None
        self.open_findings: list[str] = []
        """What open() found and dealt with (a controller left moving by a previous host)."""
        self._diameter_mm = 0.0
        self._run: RunPlan | None = None
        self.set_syringe_diameter_mm(diameter_mm)
        self._target_ul: float | None = None
        self._origin_mm: float | None = None
        self._link = GrblLink(transport, reply_timeout_s)

    # --- lifecycle ------------------------------------------------------------------------------
    def open(self) -> None:
        self.open_findings = []
        self.transport.open()
        try:
            if not (self.banner_wait_s > 0 and self._link.await_banner(self.banner_wait_s)):
                self.open_findings += self._link.reset_at_open(self.hold_timeout_s, self.poll_interval_s,
                                                               self.unlock_after_hold_reset, self.clock)
            report = self._link.query_status()
            if report.state == "Alarm":
                raise DeviceAlarm("alarm_lock", "GRBL starts in alarm state (homing required or $X to unlock)")
            self.max_feed_mm_per_min = self._link.read_axis_settings(
                AXES.index(self.axis), self.steps_per_mm if self.verify_settings else None)
            self._origin_mm = self._axis_mm(report)
            self._link.alarms.clear()
        except BaseException:
            self.transport.close()
            raise

    def close(self) -> None:
        """Release the port. Sends nothing: stop() first if the syringe should stop."""
        self.transport.close()

    @property
    def grbl_version(self) -> str | None:
        return self._link.grbl_version

    # --- conversions ----------------------------------------------------------------------------
    @property
    def plunger_area_mm2(self) -> float:
        return plunger_area_mm2(self._diameter_mm)

    def feed_mm_per_min(self, rate_ul_per_h: float) -> float:
        """Get the feed rate (mm/min) that delivers rate_ul_per_h with the current syringe."""
        return rate_ul_per_h / MIN_PER_H / self.plunger_area_mm2

    def _axis_mm(self, report: gp.StatusReport) -> float:
        return report.position_mm[AXES.index(self.axis)]

    # --- SyringePump ----------------------------------------------------------------------------
    def set_syringe_diameter_mm(self, diameter_mm: float) -> None:
        require_positive("diameter_mm", diameter_mm)
        if self._run is not None:
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
        if self._run is not None:
            self._restart_run()

    def set_target_volume_ul(self, volume_ul: float | None) -> None:
        check_target_volume_ul(volume_ul)
        self._target_ul = volume_ul

    def clear_infused_volume(self) -> None:
        self._origin_mm = self._axis_mm(self._link.query_status())

    def start(self) -> None:
        if self.rate_ul_per_h is None:
            raise ProtocolError("set_rate_ul_per_h() before start()")
        if self._run is not None:
            self._restart_run()  # a run under way goes on at the current rate; never a second run on top of it
            return
        distance_mm = self.travel_mm if self._target_ul is None else self._target_ul / self.plunger_area_mm2
        self._move(distance_mm)

    @property
    def _slack_mm(self) -> float:
        return 2.0 / self.steps_per_mm + 1e-3  # step quantisation plus the 3-decimal position report

    def _restart_run(self) -> None:
        """Hold, discard the queued blocks, and go on with the rest of the run at the current rate."""
        run = self._run
        assert run is not None
        done_mm = self._hold_and_discard()
        if self._link.resets_seen > run.start_reset_count:
            raise DeviceAlarm("reset", "GRBL restarted during the move: its position no longer counts from the "
                              "move's start, so the rest of the move is unknown; stopped, nothing restarted")
        try:
            run.check_fits(done_mm, self._slack_mm)
        except ProtocolError as exc:
            raise ProtocolError(f"{exc}; stopped, nothing restarted") from None
        self._move(max(run.total_mm - done_mm, 0.0))  # within the slack: step quantisation only

    def _move(self, distance_mm: float) -> None:
        """Start a run of distance_mm from the machine position now: its first block, at most the horizon."""
        report = self._link.query_status()
        run = RunPlan(self._axis_mm(report), distance_mm, start_reset_count=self._link.resets_seen)
        self._queue(run, done_mm=0.0)  # if GRBL refuses the block, there is no run
        self._run = run

    def _block_line(self, run: RunPlan, done_mm: float) -> tuple[str, float, float] | None:
        """The move the run needs now (RunPlan.next_block_mm), its mm and feed; None if none is due."""
        assert self.rate_ul_per_h is not None
        feed = self.feed_mm_per_min(self.rate_ul_per_h)
        block_mm = run.next_block_mm(done_mm, feed / S_PER_MIN * self.motion_horizon_s)
        if block_mm == 0.0:
            return None
        line = gp.relative_move_line(self.axis, self.infuse_direction * block_mm, feed)
        return line, block_mm, feed

    def _accept_block(self, run: RunPlan, block: tuple[str, float, float], burst: gp.Burst,
                      alarms_before: int) -> None:
        """The move's ok, then `$G`'s parser state: the modes and feed the line set [SR-DRV-012]."""
        line, block_mm, feed = block
        try:
            check_move_replies(burst.replies[0], burst.replies[1], line, feed)
        except ProtocolError as exc:
            self._run = None  # what GRBL queued is not known to be the run's: nothing more is queued for it
            if isinstance(exc, gp.GrblCommandError) and len(self._link.alarms) > alarms_before:
                raise DeviceAlarm(self._link.alarms[-1], f"GRBL rejected {line!r} with error:{exc.code}") from exc
            raise
        run.sent_mm += block_mm

    def _queue(self, run: RunPlan, done_mm: float) -> bool:
        """Queue the block the run needs now with its `$G` check, in one write; True if one was queued."""
        block = self._block_line(run, done_mm)
        if block is None:
            return False
        alarms_before = len(self._link.alarms)
        self._accept_block(run, block, self._link.burst([block[0], "$G"]), alarms_before)
        return True

    def _renew(self, report: gp.StatusReport, block_first: bool | None) -> bool:
        """Account for a report during a run [SR-DRV-010]: end the run if it completed, or if GRBL reset or raised an
        alarm (its queue is gone). block_first: None if no block went with the report, else whether GRBL took it
        before the report. True if the run moves again after it starved (Idle before its end: the host came late)."""
        run = self._run
        if run is None:
            return False
        restarted = self._link.resets_seen > run.start_reset_count
        if restarted or report.state not in ("Run", "Idle"):
            if restarted or report.state == "Alarm":
                self._run = None  # GRBL's queue is gone, and after a restart its position is not the run's
            return False
        done_mm = (self._axis_mm(report) - run.start_mm) * self.infuse_direction
        try:
            run.check_fits(done_mm, self._slack_mm)
        except ProtocolError:
            self._run = None  # nothing more is queued for a motion that is not understood
            raise
        run.known_done_mm = max(run.known_done_mm, done_mm)
        if report.state != "Idle":
            return False
        if block_first is False:
            return True  # the report came before the block sent with it, which moves now
        if run.all_sent:
            self._run = None  # the run completed
            return False
        return self._queue(run, done_mm)

    def _hold_and_discard(self) -> float:
        """Feed hold, wait for the hold to complete, soft-reset to drop the queued blocks; mm of the run done
        (0 when no run was under way)."""
        report = self._link.hold_and_reset(self.hold_timeout_s, self.poll_interval_s, self.unlock_after_hold_reset,
                                           self.clock)
        done_mm = 0.0
        if self._run is not None:
            done_mm = (self._axis_mm(report) - self._run.start_mm) * self.infuse_direction
        self._run = None
        if report.state == "Alarm":
            raise DeviceAlarm(self._link.alarms[-1] if self._link.alarms else "alarm", "GRBL in alarm state after stop")
        return done_mm

    def stop(self) -> None:
        """Hold, then soft-reset so no queued motion remains [SR-DRV-007]."""
        self._hold_and_discard()

    def status(self) -> PumpStatus:
        """The device's state. While running, the block the run needs (sized from the previous report's position,
        so never more than the horizon is queued) and its `$G` check go out in the same write as `?`: one exchange
        [SR-DRV-010, SR-DRV-012]. Call it more often than motion_horizon_s."""
        self._link.discard_stale_input()
        run, block, alarms_before = self._run, None, len(self._link.alarms)
        if run is not None and self._link.resets_seen == run.start_reset_count:
            block = self._block_line(run, run.known_done_mm)
        burst = self._link.burst([block[0], "$G"] if block else [], status=True, discard_stale=False)
        if run is not None and block is not None:
            self._accept_block(run, block, burst, alarms_before)
        report = burst.report
        assert report is not None
        resumed = self._renew(report, None if block is None else burst.report_after_lines >= 1)
        if report.state == "Alarm" and not self._link.alarms:
            self._link.alarms.append("alarm")
        alarm = pop_oldest_alarm(self._link.alarms)
        origin_mm = self._origin_mm if self._origin_mm is not None else self._axis_mm(report)
        return PumpStatus(
            running=report.moving or resumed,
            infused_ul=(self._axis_mm(report) - origin_mm) * self.infuse_direction * self.plunger_area_mm2,
            alarm=alarm,
        )
