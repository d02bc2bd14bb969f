"""A syringe driven by a plunger: what physically leaves the outlet, separate from what a pump counts.

Used by the NE-1000 and GRBL emulators. Volumes in microlitres (1 uL = 1 mm^3), travel in mm.
Occlusion blocks the outlet: the plunger still moves (compressing the line) until `compliance_ul`
has been taken up, after which the motor stalls. A jammed motor stalls at once. A leak (a cracked or
disconnected catheter) loses a fraction of what leaves the outlet before it reaches the collection vessel: the
pump notices nothing, only the balance weighs less. A rate error (a worn lead screw, a wrong syringe size set in
the pump) makes the plunger push `percent` more (or less) than the pump counts: the pump's reported volume and its
host's reservoir estimate lag what really left the syringe; only the balance sees it.
"""
from __future__ import annotations

import math
from enum import IntEnum
from typing import Protocol

from hil.emulators.faults import Fault


class Direction(IntEnum):
    """Plunger direction, the sign of its travel: INFUSE pushes fluid out of the outlet."""

    INFUSE = 1
    WITHDRAW = -1


INFUSE = Direction.INFUSE
WITHDRAW = Direction.WITHDRAW

OUTLET_FAULTS = (Fault.OCCLUSION, Fault.CLEAR_OCCLUSION, Fault.LEAK, Fault.CLEAR_LEAK, Fault.RATE_ERROR,
                 Fault.CLEAR_RATE_ERROR)
"""Faults of the syringe and its outlet, applied by apply_outlet_fault (rate_error acts on the drive)."""


OUTLET_FAULT_TEXT: dict[Fault, str] = {
    Fault.CLEAR_OCCLUSION: "the outlet opens again; fluid compressed meanwhile comes out at once",
    Fault.LEAK: "the catheter leaks or disconnects: `fraction` (default 1) of the outflow never reaches the balance",
    Fault.CLEAR_LEAK: "the leak is repaired",
    Fault.RATE_ERROR: "the drive moves `percent` (default 5) more volume than the pump counts: its reported volume "
                      "lags",
    Fault.CLEAR_RATE_ERROR: "the drive is repaired",
}
"""What each outlet fault but occlusion does, worded once for every pump core's FAULTS (how a blocked outlet shows
depends on the drive)."""


def outlet_fault_text(*faults: Fault) -> dict[Fault, str]:
    """OUTLET_FAULT_TEXT for a core that takes only these of the outlet faults."""
    return {fault: OUTLET_FAULT_TEXT[fault] for fault in faults}


class SyringeEmulatorConfig(Protocol):
    """The syringe fields an emulated pump's config has."""

    @property
    def syringe_diameter_mm(self) -> float: ...
    @property
    def syringe_volume_ul(self) -> float: ...
    @property
    def fill_volume_ul(self) -> float | None: ...
    @property
    def occlusion_compliance_ul(self) -> float: ...


def area_mm2(diameter_mm: float) -> float:
    return math.pi * diameter_mm**2 / 4.0


class Syringe:
    def __init__(self, diameter_mm: float, capacity_ul: float, fill_ul: float) -> None:
        self.area_mm2 = area_mm2(diameter_mm)
        self.capacity_ul = capacity_ul
        self.contents_ul = fill_ul
        self.outflow_ul = 0.0
        """Net volume physically pushed out of the outlet to the collection vessel (withdrawal draws it back)."""
        self.leak_fraction = 0.0
        self.leaked_ul = 0.0
        """Volume that left the syringe but was lost before the collection vessel (leak)."""
        self.occluded = False
        self.compliance_left_ul = 0.0
        self.compressed_ul = 0.0
        self.volume_gain = 1.0
        """Volume that really moves per volume the pump commands (1.06: a pump running 6 % fast)."""
        self.outflow_history: list[tuple[float, float]] | None = None
        """(t_s, outflow_ul) at the end of every stretch of motion the pump replayed, once a balance weighs the
        outflow: between two entries the outflow changed linearly, so the weighing cell can follow it exactly."""

    def note_time(self, t_s: float) -> None:
        """The pump has replayed its motion up to t_s (called by the cores at the end of every stretch)."""
        history = self.outflow_history
        if history is not None and (not history or history[-1] != (t_s, self.outflow_ul)):
            history.append((t_s, self.outflow_ul))

    def travel_left_mm(self, direction: int) -> float:
        """Plunger travel before the end stop in this direction."""
        room_ul = self.contents_ul if direction == INFUSE else self.capacity_ul - self.contents_ul
        if direction == INFUSE and self.occluded:
            room_ul = min(room_ul, self.compliance_left_ul)
        return max(room_ul, 0.0) / (self.area_mm2 * self.volume_gain)

    def move_mm(self, distance_mm: float, direction: int) -> None:
        """Move the plunger by the distance the pump commands (its travel is distance_mm x volume_gain); the
        caller keeps the distance within travel_left_mm."""
        volume_ul = distance_mm * self.area_mm2 * self.volume_gain
        if direction == INFUSE:
            self.contents_ul -= volume_ul
            if self.occluded:
                self.compliance_left_ul -= volume_ul
                self.compressed_ul += volume_ul
            else:
                self.leaked_ul += volume_ul * self.leak_fraction
                self.outflow_ul += volume_ul * (1.0 - self.leak_fraction)
        else:
            self.contents_ul += volume_ul
            self.outflow_ul -= volume_ul

    def occlude(self, compliance_ul: float) -> None:
        self.occluded = True
        self.compliance_left_ul = compliance_ul

    def clear_occlusion(self) -> None:
        """The line opens: fluid compressed during the occlusion comes out at once (a bolus)."""
        self.outflow_ul += self.compressed_ul
        self.compressed_ul = 0.0
        self.occluded = False


def initial_fill_ul(config: SyringeEmulatorConfig) -> float:
    """What a pump config's syringe holds at the start: fill_volume_ul, or full when it is not set."""
    return config.syringe_volume_ul if config.fill_volume_ul is None else config.fill_volume_ul


def syringe_from(config: SyringeEmulatorConfig) -> Syringe:
    """The syringe a pump config describes, full unless fill_volume_ul says otherwise."""
    return Syringe(config.syringe_diameter_mm, config.syringe_volume_ul, initial_fill_ul(config))


def apply_outlet_fault(syringe: Syringe, config: SyringeEmulatorConfig, name: Fault, params: dict) -> None:
    """occlusion (compliance_ul, default from the config), clear_occlusion, leak (fraction lost, default 1: a
    disconnection), clear_leak, rate_error (percent more volume than commanded, negative: less) or
    clear_rate_error."""
    if name == Fault.OCCLUSION:
        syringe.occlude(params.get("compliance_ul", config.occlusion_compliance_ul))
    elif name == Fault.CLEAR_OCCLUSION:
        syringe.clear_occlusion()
    elif name == Fault.LEAK:
        syringe.leak_fraction = float(params.get("fraction", 1.0))
    elif name == Fault.CLEAR_LEAK:
        syringe.leak_fraction = 0.0
    elif name == Fault.RATE_ERROR:
        syringe.volume_gain = 1.0 + float(params.get("percent", 5.0)) / 100.0
    elif name == Fault.CLEAR_RATE_ERROR:
        syringe.volume_gain = 1.0
    else:
        raise ValueError(f"{str(name)!r} is not an outlet fault {[str(fault) for fault in OUTLET_FAULTS]}")
