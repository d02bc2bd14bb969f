"""The infused volume a pump reports, checked before the firmware sees it [SR-HIL-005].

Supervision compares reported with commanded volume; a NaN makes every comparison false, so a pump reporting
NaN would never alarm however much it delivered. A reported volume is therefore a finite, non-negative counter
that only grows. What breaks that is an actuator fault (ActuatorError "actuator_fault": the high-priority
ACTUATOR_FAULT alarm, which stops delivery) naming the value, except where the pump explains it:
- the counter was cleared (clear_infused_volume) or the pump reported a power reset in the same status: the
  counter starts again, and the volume handed on carries on from the last reading (what the counter held before
  is not lost; what moved between the last reading and the restart is not known);
- a decrease is reported once: the volume carries on from the lower reading, so the next reading is judged
  against it (after the alarm is cleared, delivery can be supervised again).
A non-finite reading is never taken: every such reading faults.
"""
from __future__ import annotations

import math
from numbers import Real

from firmware_sim.ports import ActuatorError
from firmware_sim.pump.actuator_faults import ActuatorFault

FAULT = ActuatorFault.ACTUATOR_FAULT
DECREASE_TOLERANCE_UL = 1e-6
"""A fall smaller than this (far below any pump's reported resolution) is float noise, not a decrease."""


class CumulativeVolume:
    """Raw counter readings (device uL) in, the checked cumulative volume (device uL) out."""

    def __init__(self) -> None:
        self._last_raw_ul: float | None = None
        self._total_ul = 0.0
        self._restarted = False

    def counter_cleared(self) -> None:
        """The counter was cleared on purpose: the next reading starts it again."""
        self._restarted = True

    def take(self, raw_ul: object, reset_reported: bool) -> float:
        """The cumulative volume for this reading; ActuatorError for a reading that cannot be one."""
        if isinstance(raw_ul, bool) or not isinstance(raw_ul, Real) or not math.isfinite(raw_ul):
            raise ActuatorError(FAULT, f"pump reported infused volume {raw_ul!r} uL, not a finite number: delivery "
                                       "cannot be supervised [SR-HIL-005]")
        raw_ul = float(raw_ul)
        last_ul, restarted = self._last_raw_ul, self._restarted or reset_reported
        self._last_raw_ul, self._restarted = raw_ul, False
        if last_ul is None:
            if raw_ul < 0:
                raise ActuatorError(FAULT, f"pump reported a negative infused volume {raw_ul:.6g} uL at its first "
                                           "reading [SR-HIL-005]")
            self._total_ul = raw_ul
        elif raw_ul >= last_ul - DECREASE_TOLERANCE_UL:
            self._total_ul += max(raw_ul - last_ul, 0.0)
        elif restarted:
            self._total_ul += max(raw_ul, 0.0)  # counted again from zero (a GRBL reset loses the origin: 0)
        else:
            raise ActuatorError(FAULT, f"pump reported infused volume {raw_ul:.6g} uL, less than the {last_ul:.6g} uL "
                                       "it reported before, without a reset or clear [SR-HIL-005]")
        return self._total_ul
