"""GRBL motion in clock time: a planner of straight moves and dwells at their feed, no acceleration,
coupled to a physical syringe through the ratio of GRBL's $100 to the real steps per mm."""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from firmware_sim.units import S_PER_MIN
from hil.emulators.syringe import INFUSE, WITHDRAW, Syringe


@dataclass
class Block:
    target_mm: tuple[float, float, float] | None
    speed_mm_per_min: float
    dwell_left_s: float = 0.0
    jog: bool = False


class Motion:
    def __init__(self, syringe: Syringe, infuse_axis_sign: int) -> None:
        self.syringe = syringe
        self.infuse_axis_sign = infuse_axis_sign
        self.position_mm = [0.0, 0.0, 0.0]
        self.planner: deque[Block] = deque()
        self.held = False
        self.motor_jammed = False
        self.t_s = 0.0

    @property
    def busy(self) -> bool:
        return bool(self.planner)

    def current_speed_mm_per_min(self) -> float:
        if not self.planner or self.held or self.planner[0].target_mm is None:
            return 0.0
        return self.planner[0].speed_mm_per_min

    def advance_to(self, t_s: float, physical_per_grbl_mm: float) -> str | None:
        """Run the planner up to t_s. Returns "end_stop" if the plunger reached its end of travel
        (motion stopped there, t_s set to that moment), else None."""
        while self.t_s < t_s:
            if not self.planner or self.held:
                self.t_s = t_s
                self.syringe.note_time(self.t_s)
                return None
            block = self.planner[0]
            dt_s = t_s - self.t_s
            if block.target_mm is None:
                used_s = min(dt_s, block.dwell_left_s)
                block.dwell_left_s -= used_s
                self.t_s += used_s
                self.syringe.note_time(self.t_s)
                if block.dwell_left_s <= 0:
                    self.planner.popleft()
                continue
            (tx, ty, tz), (px, py, pz) = block.target_mm, self.position_mm
            dx, dy, dz = tx - px, ty - py, tz - pz
            distance_mm = math.sqrt(dx * dx + dy * dy + dz * dz)
            speed_mm_per_s = block.speed_mm_per_min / S_PER_MIN
            time_left_s = distance_mm / speed_mm_per_s if distance_mm > 0 else 0.0
            plunger_mm_per_s = speed_mm_per_s * (dx / distance_mm if distance_mm else 0.0)
            plunger_mm_per_s *= physical_per_grbl_mm * self.infuse_axis_sign
            direction = INFUSE if plunger_mm_per_s > 0 else WITHDRAW
            travel_mm = self.syringe.travel_left_mm(direction)
            moves = plunger_mm_per_s != 0 and not self.motor_jammed and travel_mm > 0
            hit_s = travel_mm / abs(plunger_mm_per_s) if moves else math.inf
            step_s = min(dt_s, time_left_s, hit_s)
            if moves:
                self.syringe.move_mm(min(abs(plunger_mm_per_s) * step_s, travel_mm), direction)
            self.t_s += step_s
            self.syringe.note_time(self.t_s)
            if step_s >= time_left_s:
                self.position_mm = list(block.target_mm)
                self.planner.popleft()
            else:
                fraction = step_s / time_left_s
                self.position_mm = [px + dx * fraction, py + dy * fraction, pz + dz * fraction]
                if step_s >= hit_s and self._at_true_end(direction):
                    return "end_stop"
        return None

    def _at_true_end(self, direction: int) -> bool:
        """The plunger itself is at an end (not just a blocked outlet taking up compliance)."""
        if direction == INFUSE:
            return self.syringe.contents_ul <= 1e-9
        return self.syringe.contents_ul >= self.syringe.capacity_ul - 1e-9
