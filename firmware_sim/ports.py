"""Ports the firmware needs from the outside world, declared as Protocols.

The harness adapts a real or emulated syringe pump to `Actuator`; tests use an in-memory one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol
from collections.abc import Callable

import numpy as np

from firmware_sim.clock import Clock

__all__ = ["Actuator", "ActuatorError", "ActuatorStatus", "Clock", "PreviewedReads", "StatusPreview"]


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


@dataclass(frozen=True)
class PreviewedReads:
    """What read_status() would report at each of a run of future times if nothing else happened."""

    delivered_ul: np.ndarray
    """delivered_ul of each read, for the first len(delivered_ul) times: each of them a plain read (no fault,
    no lost link, no watchdog stop). Shorter than the times asked for where a read would not be plain."""
    take: Callable[[int], None]
    """take(n): the clock stands at or past the n-th time; count the first n reads as done, as if read_status()
    had been called at each of those times. Raises ValueError if the actuator changed since the preview."""


class StatusPreview(Protocol):
    """Optional for an Actuator: one whose status between commands is known in advance (a simulated one) may
    offer it, and the firmware then runs a stretch of supervision ticks in bulk instead of one read at a time.
    A real device cannot; the firmware reads it tick by tick."""

    def preview_reads(self, times_s: np.ndarray) -> PreviewedReads:
        """times_s: ascending, none before the clock's now. Changes nothing until take() is called."""
        ...
