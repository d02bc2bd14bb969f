"""Ports the firmware needs from the outside world, declared as Protocols.

The harness adapts a real or emulated syringe pump to `Actuator`; tests use an in-memory one.
"""
from __future__ import annotations

from typing import NamedTuple, Protocol

from firmware_sim.clock import Clock

__all__ = ["Actuator", "ActuatorError", "ActuatorStatus", "Clock"]


class ActuatorStatus(NamedTuple):
    """One status read (immutable; read once per supervision tick, so it is kept cheap to build)."""

    running: bool
    delivered_ul: float  # cumulative volume the actuator reports as delivered since it was opened
    fault: str | None = None  # None, or the device's fault: "motor_stall", "occlusion", "power_reset", ...
    fault_detail: str | None = None  # the alarm detail, where "actuator reports <fault>" would not say how it was found


class ActuatorError(Exception):
    """The actuator could not carry out a command or report its status (e.g. communication lost)."""

    def __init__(self, fault: str, detail: str) -> None:
        super().__init__(f"{fault}: {detail}")
        self.fault = fault
        self.detail = detail


class Actuator(Protocol):
    """What the firmware drives. The firmware cannot stop an actuator it cannot reach: a safe actuator stops
    by itself when the controller falls silent (a communications watchdog, as the NE-1000 safe mode has),
    and reports that as a fault once it is reached again."""

    def command_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        """Run at this rate (> 0) from now on; starts the actuator if it is stopped."""
        ...

    def stop(self) -> None:
        """Stop delivery at once."""
        ...

    def read_status(self) -> ActuatorStatus:
        ...
