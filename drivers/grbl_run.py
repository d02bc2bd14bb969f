"""One GRBL run's motion plan: how far the run goes, how much of it is queued, and the next block to queue.

GRBL has no communications watchdog: motion it has queued runs to its end whatever happens to the host. A
run therefore never has more than the motion horizon queued ahead of the machine position (the distance
the feed covers in `motion_horizon_s`); the host tops the queue up while it lives (GrblSyringe.status(),
start() and rate changes), so the stepper of a host that dies stops within the horizon [SR-DRV-010].
No I/O here.
"""
from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import ProtocolError

TOP_UP_BELOW_FRACTION = 0.875
"""A renewal queues a block only when less than this fraction of the horizon is queued, so blocks are at least
1/8 of the horizon long and a host that polls often does not fill GRBL's 16-block planner with slivers."""
MIN_BLOCK_MM = 1e-6
"""Below this a block is not worth a line (far below one step)."""


@dataclass
class RunPlan:
    """Distances along the infuse direction, from the machine position the run started at."""

    start_mm: float
    """Machine position (on the driver's axis) when the run started."""
    total_mm: float
    """The whole run: the target volume's travel, or the syringe's travel without a target."""
    start_reset_count: int = 0
    """GrblLink.resets_seen when the run started: a higher count means GRBL restarted during the run."""
    sent_mm: float = 0.0
    """Sum of the blocks queued so far (accepted with `ok`)."""
    known_done_mm: float = 0.0
    """How far the run had gone at the last status report: status() sizes the block it sends with the next `?` from
    it, so the queue never holds more than the horizon (the machine has moved on since)."""

    @property
    def all_sent(self) -> bool:
        return self.total_mm - self.sent_mm < MIN_BLOCK_MM

    def next_block_mm(self, done_mm: float, horizon_mm: float) -> float:
        """The block to queue now (0.0: none) so that at most horizon_mm is queued ahead of done_mm, the run's
        total is never exceeded, and nothing is queued while the queue is still nearly full."""
        queued_mm = max(self.sent_mm - done_mm, 0.0)
        if queued_mm >= TOP_UP_BELOW_FRACTION * horizon_mm:
            return 0.0
        block_mm = min(horizon_mm - queued_mm, self.total_mm - self.sent_mm)
        return block_mm if block_mm >= MIN_BLOCK_MM else 0.0

    def check_fits(self, done_mm: float, slack_mm: float) -> None:
        """ProtocolError unless done_mm lies within what was queued (give or take slack_mm)."""
        if not -slack_mm <= done_mm <= self.sent_mm + slack_mm:
            raise ProtocolError(f"GRBL moved {done_mm:.4f} mm of the {self.sent_mm:.4f} mm queued for this run: "
                                f"the position does not fit the move, so the rest is unknown")
