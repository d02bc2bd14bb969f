"""The dead-host horizon of a run: the most delivery, in device seconds at the run's rate, a pump without a
communications watchdog may do on its own: the motion GRBL may hold queued (pump.motion_horizon_s, SR-DRV-010), the
infusion a Harvard pump's target volume may lie ahead of its counter (pump.dead_host_horizon_s, SR-DRV-013; the
target is topped up on the status reads as GRBL's queue is, drivers.harvard_horizon).

GRBL has no communications watchdog: whatever it has queued runs to its end, host or no host. The driver therefore
never queues more than the horizon and tops it up on each status read, which the firmware's supervision tick makes
every supervision period; a host that dies leaves its stepper at most the horizon of motion [SR-DRV-010]. The top-up
goes out in the same write as the status query, so it is sized from the previous tick's position: right after a tick
the queue holds the horizon less one period. Unless the rig sets pump.motion_horizon_s, the horizon is
HORIZON_SUPERVISION_PERIODS (hil.devices.dead_host_horizon) supervision periods in device time (the period divided by
the time compression factor), which keeps two periods queued after each tick, and at least MIN_MOTION_HORIZON_S so
that a tick made late by a loaded host does not stall the motion. A horizon the rig sets must cover
MIN_HORIZON_PERIODS periods (two to reach the next tick, half a period to spare), or the motion would stall between
two ticks. A Harvard pump's target is raised from the same read's counter, and only when less than half the horizon
is left (drivers.harvard_horizon): at three periods that is every other tick, and a read that raises nothing leaves
at least two periods; at the least horizon a rig may set (2.5 periods), 1.25 periods."""
from __future__ import annotations

from hil.config.rig import GrblPumpConfig, HarvardPumpConfig, RigConfig
from hil.rig.errors import RigError

MIN_HORIZON_PERIODS = 2.5

_HORIZON_KEYS: dict[type, tuple[str, str, str]] = {
    GrblPumpConfig: ("motion_horizon_s", "the stepper would stall", "SR-DRV-010"),
    HarvardPumpConfig: ("dead_host_horizon_s", "the pump would stop at its target volume", "SR-DRV-013"),
}
"""Pump sections with a dead-host horizon: the key, what a starved horizon does, the requirement."""


def check_motion_horizon(rig: RigConfig, supervision_period_s: float, time_compression_factor: float) -> None:
    """RigError if the horizon the rig sets is too short for the run's supervision period [SR-DRV-010, SR-DRV-013]."""
    pump = rig.pump
    if type(pump) not in _HORIZON_KEYS:
        return
    key, starved, requirement = _HORIZON_KEYS[type(pump)]
    configured_s = getattr(pump, key)
    device_period_s = supervision_period_s / time_compression_factor
    if configured_s is not None and configured_s < MIN_HORIZON_PERIODS * device_period_s:
        compressed = (
            f" (supervision_period_s {supervision_period_s:g} s at time compression x{time_compression_factor:g})"
            if time_compression_factor != 1.0
            else ""
        )
        raise RigError(
            f"rig {rig.rig_id}: pump.{key} {configured_s:g} s is shorter than "
            f"{MIN_HORIZON_PERIODS:g} supervision periods of {device_period_s:g} s on the device{compressed}: "
            f"{starved} between two status reads; raise it, or leave it out for three "
            f"periods [{requirement}]"
        )
