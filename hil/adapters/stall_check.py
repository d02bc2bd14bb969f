"""The balance confirms what the pump reports, where a balance weighs the output. Two checks share the weighing:

- stall (open-loop pumps, a GRBL stepper, which report the motion they commanded, not what moved): when the pump
  reports at least min_volume_ul more than at the last confirmation and the balance saw less than min_fraction of
  it, the status carries the fault motor_stall (the firmware latches the high-priority alarm, SR-ALM-004).
- delivery accuracy (every pump with a balance, SR-SUP-006): over each window in which the pump reports at least
  accuracy.window_volume_ul, the weighed volume must be within accuracy.tolerance_fraction of the reported one;
  otherwise the fault gravimetric_deviation (high priority) with a detail naming both volumes. A pump running a few
  percent fast reports (and the firmware computes its reservoir from) less than really left: the low-reservoir
  alarm would come late and the reservoir run dry unannounced. After a deviation the next window starts afresh.

A balance restart starts both afresh: the interval around it was not weighed. The balance is read only when a
check can decide something: to set the first confirmation, after the pump's counter went back, and once the pump
reports a check's volume more than at its last confirmation (below that every reading would be ignored)."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable

from firmware_sim.pump.actuator_faults import ActuatorFault
from hil.adapters.balance import GravimetricReading

DEFAULT_MIN_VOLUME_UL = 2.0
DEFAULT_MIN_FRACTION = 0.5
GRAVIMETRIC_DEVIATION = ActuatorFault.GRAVIMETRIC_DEVIATION


@dataclass(frozen=True)
class DeliveryAccuracy:
    """The delivery-accuracy check's settings (rig config balance.delivery_check)."""

    tolerance_fraction: float = 0.05
    """Largest |weighed - reported| / reported over a window (dimensionless; IEC 60601-2-24-style syringe pumps
    claim about 5 %)."""
    window_volume_ul: float = 50.0
    """Reported volume per judged window: large enough that the pump's reported resolution (1 uL on an NE-1000
    below 10 mL) and the balance noise stay well inside the tolerance."""

    def __post_init__(self) -> None:
        if not 0 < self.tolerance_fraction < 1:
            raise ValueError(f"tolerance_fraction must be within (0, 1), got {self.tolerance_fraction!r}")
        if not self.window_volume_ul > 0:
            raise ValueError(f"window_volume_ul must be > 0, got {self.window_volume_ul!r}")


Anchor = tuple[float, GravimetricReading]
"""(pump-reported volume, balance reading) at the start of a judged interval."""


class GravimetricStallCheck:
    """Both checks (stall only if stall is True, accuracy only if given)."""

    def __init__(self, weigh: Callable[[], GravimetricReading | None], min_volume_ul: float = DEFAULT_MIN_VOLUME_UL,
                 min_fraction: float = DEFAULT_MIN_FRACTION, accuracy: DeliveryAccuracy | None = None,
                 stall: bool = True) -> None:
        self._weigh = weigh
        self.min_volume_ul = min_volume_ul
        self.min_fraction = min_fraction
        self.accuracy = accuracy
        self.stall = stall
        self._confirmed: Anchor | None = None
        self._window: Anchor | None = None
        self.detail: str | None = None
        """What the last fault was found from."""

    def _due(self, reported_ul: float) -> bool:
        """A reading can decide something (else it is not taken: each reading is an exchange)."""
        if self._confirmed is None or self._window is None:
            return True
        stall_due = self.stall and not 0.0 <= reported_ul - self._confirmed[0] < self.min_volume_ul
        accuracy_due = self.accuracy is not None and not (
            0.0 <= reported_ul - self._window[0] < self.accuracy.window_volume_ul)
        return stall_due or accuracy_due

    def fault(self, reported_ul: float) -> ActuatorFault | None:
        if not self._due(reported_ul):
            return None
        reading = self._weigh()
        if reading is None:
            return None  # no reading: nothing confirmed, nothing refuted
        confirmed, window = self._confirmed, self._window
        if (confirmed is None or window is None or reported_ul < max(confirmed[0], window[0])
                or reading.power_up_count != confirmed[1].power_up_count):
            self._confirmed = self._window = (reported_ul, reading)
            return None
        if self.stall and self._stalled(reported_ul, reading, confirmed):
            return ActuatorFault.MOTOR_STALL
        if self.accuracy is not None and reported_ul - window[0] >= self.accuracy.window_volume_ul:
            self._window = (reported_ul, reading)
            return self._deviation(reported_ul, reading, window, self.accuracy)
        return None

    def _stalled(self, reported_ul: float, reading: GravimetricReading, confirmed: Anchor) -> bool:
        moved_ul = reported_ul - confirmed[0]
        if moved_ul < self.min_volume_ul:
            return False
        weighed_ul = reading.volume_ul - confirmed[1].volume_ul
        if weighed_ul < self.min_fraction * moved_ul:
            self.detail = (
                f"balance check: {weighed_ul:.3g} uL weighed while the pump reported {moved_ul:.3g} uL moved "
                f"since t={confirmed[1].t_s:.0f} s (less than {self.min_fraction:.0%} of it)"
            )
            return True
        self._confirmed = (reported_ul, reading)
        return False

    def _deviation(self, reported_ul: float, reading: GravimetricReading, window: Anchor,
                   accuracy: DeliveryAccuracy) -> ActuatorFault | None:
        moved_ul = reported_ul - window[0]
        weighed_ul = reading.volume_ul - window[1].volume_ul
        deviation = (weighed_ul - moved_ul) / moved_ul
        if abs(deviation) <= accuracy.tolerance_fraction:
            return None
        meaning = "over-delivery: the reservoir empties sooner than computed" if deviation > 0 else "under-delivery"
        self.detail = (f"gravimetric delivery check: the balance weighed {weighed_ul:.4g} uL delivered while the pump "
                       f"reported {moved_ul:.4g} uL since t={window[1].t_s:.0f} s ({deviation:+.1%}, tolerance "
                       f"{accuracy.tolerance_fraction:.0%}): {meaning} [SR-SUP-006]")
        return GRAVIMETRIC_DEVIATION
