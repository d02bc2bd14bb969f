"""The dead-host horizon a pump driver without a communications watchdog gets (GRBL's queued motion, SR-DRV-010;
a Harvard pump's target volume ahead of its counter, SR-DRV-013), computed beside the device entries that use it.
Why three supervision periods, and the check of a horizon a rig sets: hil.rig.motion_horizon."""
from __future__ import annotations

from firmware_sim.pump.config import FirmwareConfig

HORIZON_SUPERVISION_PERIODS = 3.0
MIN_MOTION_HORIZON_S = 5.0
DEFAULT_SUPERVISION_PERIOD_S = FirmwareConfig.supervision_period_s
"""The period assumed when a rig is built without a run (the pytest plugin's firmware uses the default)."""


def dead_host_horizon_s(configured_s: float | None, supervision_period_s: float | None,
                        time_compression_factor: float) -> float:
    """The rig's horizon (pump.motion_horizon_s or pump.dead_host_horizon_s) if it sets one, else three supervision
    periods on the device (the period divided by the time compression), at least MIN_MOTION_HORIZON_S."""
    if configured_s is not None:
        return float(configured_s)
    period_s = DEFAULT_SUPERVISION_PERIOD_S if supervision_period_s is None else supervision_period_s
    return max(HORIZON_SUPERVISION_PERIODS * period_s / time_compression_factor, MIN_MOTION_HORIZON_S)
