"""The dead-host horizon of a Harvard pump run: the target volume the host keeps a bounded stretch ahead.

A Harvard pump-chain pump has no communications watchdog: told `irun`, it infuses until it is told to stop, its
syringe ends or its infused-volume counter reaches the target volume (`tvolume`), where it stops by itself and
shows the prompt `T*`. While a run is under way the driver therefore keeps the target at most `horizon_s` of
infusion at the current rate ahead of the counter, and raises it again (a top-up) before it comes near, so a host
that dies leaves the pump at most the horizon of infusion [SR-DRV-013]. A target the caller set
(set_target_volume_ul) still applies: the pump's target is the nearer of the two. No I/O here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from drivers.arguments import require_positive
from drivers.units import S_PER_H

TOP_UP_BELOW_FRACTION = 0.5
"""A status read raises the target only when less than this fraction of the horizon is left ahead of the counter.
With a horizon of three status periods that is every second read (3, 2, then 1 period left: top up), so a run
costs one extra exchange every other tick, and at least one period is left to spare after every read."""


@dataclass(frozen=True)
class RunTarget:
    """The target volume the pump was given for a run."""

    target_ul: float
    """On the pump's infused-volume counter."""
    is_horizon: bool
    """True when it is the horizon's (reaching it while the host lives is a defect); False when it is the caller's
    own target volume, which the pump may reach as planned."""


@dataclass(frozen=True)
class DeadHostHorizon:
    horizon_s: float
    """The most infusion, in device seconds at the run's rate, the pump may do on its own."""

    def __post_init__(self) -> None:
        require_positive("dead_host_horizon_s", self.horizon_s)

    def ahead_ul(self, rate_ul_per_h: float) -> float:
        return rate_ul_per_h * self.horizon_s / S_PER_H

    def target(self, infused_ul: float, rate_ul_per_h: float, caller_target_ul: float | None) -> RunTarget:
        """The target to give the pump when its counter reads infused_ul and it runs at rate_ul_per_h."""
        horizon_ul = infused_ul + self.ahead_ul(rate_ul_per_h)
        if caller_target_ul is not None and caller_target_ul <= horizon_ul:
            return RunTarget(caller_target_ul, is_horizon=False)
        return RunTarget(horizon_ul, is_horizon=True)

    def needs_top_up(self, current: RunTarget | None, infused_ul: float, rate_ul_per_h: float) -> bool:
        """Whether the pump's target should be raised now: it is the horizon's and less than
        TOP_UP_BELOW_FRACTION of the horizon is left ahead of the counter (or none is known)."""
        if current is None:
            return True
        if not current.is_horizon:
            return False
        left_ul = current.target_ul - infused_ul
        return not (math.isfinite(left_ul) and left_ul >= TOP_UP_BELOW_FRACTION * self.ahead_ul(rate_ul_per_h))
