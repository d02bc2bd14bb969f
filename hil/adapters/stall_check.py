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
reports a check's volume more than at its last confirmation (below that every reading would be ignored).

A balance settles: its reading lags a load that changes at a flow F by about F x balance_lag_s. Between two readings
at flows F0 and F1 (the commanded flow onto the pan, in wall time: a time-compressed run pumps k times faster) the
weighed volume is off by up to balance_lag_s x |F1 - F0|, which both checks allow for: at 50x compression priming
pushes 14 uL/s, and a 0.2 s lag is 2.8 uL of a 50 uL window. A stall is then found only once the pump reported
enough motion that the lag cannot explain what is missing; until then the reading decides nothing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
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


class Anchor(NamedTuple):
    """A reading the checks judge from: at the start of a judged interval, or the one judged now."""
    reported_ul: float
    reading: GravimetricReading
    flow_ul_per_s: float
    """The commanded flow onto the pan, uL per wall second."""


class GravimetricStallCheck:
    """Both checks (stall only if stall is True, accuracy only if given)."""

    def __init__(self, weigh: Callable[[], GravimetricReading | None], min_volume_ul: float = DEFAULT_MIN_VOLUME_UL,
                 min_fraction: float = DEFAULT_MIN_FRACTION, accuracy: DeliveryAccuracy | None = None,
                 stall: bool = True, balance_lag_s: float = 0.0) -> None:
        if not balance_lag_s >= 0:
            raise ValueError(f"balance_lag_s must be >= 0 s, got {balance_lag_s!r}")
        self._weigh = weigh
        self.min_volume_ul = min_volume_ul
        self.min_fraction = min_fraction
        self.accuracy = accuracy
        self.stall = stall
        self.balance_lag_s = balance_lag_s
        self._confirmed: Anchor | None = None
        self._window: Anchor | None = None
        self.detail: str | None = None
        """What the last fault was found from."""

    def _due(self, reported_ul: float) -> bool:
        """A reading can decide something (else it is not taken: each reading is an exchange)."""
        if self._confirmed is None or self._window is None:
            return True
        stall_due = self.stall and not 0.0 <= reported_ul - self._confirmed.reported_ul < self.min_volume_ul
        accuracy_due = self.accuracy is not None and not (
            0.0 <= reported_ul - self._window.reported_ul < self.accuracy.window_volume_ul)
        return stall_due or accuracy_due

    def fault(self, reported_ul: float, flow_ul_per_s: float = 0.0) -> ActuatorFault | None:
        """flow_ul_per_s: the commanded flow onto the pan now, uL per wall second (0 when stopped)."""
        if not self._due(reported_ul):
            return None
        reading = self._weigh()
        if reading is None:
            return None  # no reading: nothing confirmed, nothing refuted
        confirmed, window = self._confirmed, self._window
        now = Anchor(reported_ul, reading, flow_ul_per_s)
        if (confirmed is None or window is None or reported_ul < max(confirmed.reported_ul, window.reported_ul)
                or reading.power_up_count != confirmed.reading.power_up_count):
            self._confirmed = self._window = now
            return None
        if self.stall and self._stalled(now, confirmed):
            return ActuatorFault.MOTOR_STALL
        if self.accuracy is not None and reported_ul - window.reported_ul >= self.accuracy.window_volume_ul:
            self._window = now
            return self._deviation(now, window, self.accuracy)
        return None

    def _lag_ul(self, now: Anchor, then: Anchor) -> float:
        """How far the balance's settling lag can put the weighed volume between then and now off the outflow."""
        return self.balance_lag_s * abs(now.flow_ul_per_s - then.flow_ul_per_s)

    def _lag_note(self, lag_ul: float) -> str:
        return f", allowing {lag_ul:.3g} uL for the balance's {self.balance_lag_s:g} s settling lag" if lag_ul else ""

    def _stalled(self, now: Anchor, confirmed: Anchor) -> bool:
        moved_ul = now.reported_ul - confirmed.reported_ul
        if moved_ul < self.min_volume_ul:
            return False
        weighed_ul = now.reading.volume_ul - confirmed.reading.volume_ul
        lag_ul = self._lag_ul(now, confirmed)
        if weighed_ul + lag_ul < self.min_fraction * moved_ul:
            self.detail = (
                f"balance check: {weighed_ul:.3g} uL weighed while the pump reported {moved_ul:.3g} uL moved since "
                f"t={confirmed.reading.t_s:.0f} s (less than {self.min_fraction:.0%} of it{self._lag_note(lag_ul)})"
            )
            return True
        if weighed_ul >= self.min_fraction * moved_ul:
            self._confirmed = now
        return False  # else the lag could explain what is missing: judged again with more motion

    def _deviation(self, now: Anchor, window: Anchor, accuracy: DeliveryAccuracy) -> ActuatorFault | None:
        moved_ul = now.reported_ul - window.reported_ul
        weighed_ul = now.reading.volume_ul - window.reading.volume_ul
        deviation = (weighed_ul - moved_ul) / moved_ul
        lag_ul = self._lag_ul(now, window)
        if abs(weighed_ul - moved_ul) <= accuracy.tolerance_fraction * moved_ul + lag_ul:
            return None
        meaning = "over-delivery: the reservoir empties sooner than computed" if deviation > 0 else "under-delivery"
        self.detail = (f"gravimetric delivery check: the balance weighed {weighed_ul:.4g} uL delivered while the pump "
                       f"reported {moved_ul:.4g} uL since t={window.reading.t_s:.0f} s ({deviation:+.1%}, tolerance "
                       f"{accuracy.tolerance_fraction:.0%}{self._lag_note(lag_ul)}): {meaning} [SR-SUP-006]")
        return GRAVIMETRIC_DEVIATION
