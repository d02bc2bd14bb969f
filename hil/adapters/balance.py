"""Balance readings as collected volume: mass -> volume by density, evaporation added back (evaporation runs in
wall time, which a time-compressed run divides by its factor; the volumes themselves are the scenario's). The first
reading is the baseline (the vessel as it stands when the run starts).

A balance that restarts takes a new zero, so its masses no longer count from the baseline. The first reading
after a restart becomes a new baseline that carries on the volume of the last reading before it: what was
collected between those two readings is not weighed (the run's reason says so).

A mass that is not a finite number is a failed reading (counted and kept as the last error, like a driver
error), never a volume [SR-HIL-005].

A balance that failed MAX_N_FAILURES_IN_A_ROW readings in a row is read less often while it keeps failing (each failed
reading can cost a reply timeout of wall time, even in a virtual-time run): the next attempt waits RETRY_FIRST_S of
scenario time, doubling up to RETRY_MAX_S; a skipped reading is no failure. It is lost when its port went away (not
read again) or when the run ends on such a run of failures (lost): the balance did not weigh the end of the run.
Readings are cumulative, so a balance that comes back weighs everything collected meanwhile."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from drivers.errors import DeviceAlarm, DeviceDisconnected, DriverError
from firmware_sim.units import S_PER_H
from hil.adapters.failure_backoff import FailureBackoff
from hil.gravimetry.conversion import mass_to_volume_ul


@dataclass(frozen=True)
class GravimetricReading:
    t_s: float
    mass_g: float
    stable: bool
    volume_ul: float
    """Collected since the run's first reading, uL (a time-compressed run pumps at k times the rate for 1/k of the
    time, so this is the scenario's volume too)."""
    power_up_count: int = 0
    """Balance restarts before this reading. Volumes carry on across a restart, but the interval around it was
    not weighed: do not take a difference between readings with different counts as a measurement."""


MAX_N_RESETS_PER_READ = 3
"""Power-up announcements taken in one reading before the next one counts as a failed reading."""
MAX_N_FAILURES_IN_A_ROW = 5
"""Failed readings in a row after which the balance is read less often, and lost if the run ends so."""
RETRY_FIRST_S = 60.0
"""Scenario time before a failing balance is asked again, doubling with each further failure ..."""
RETRY_MAX_S = 6 * S_PER_H
"""... up to this."""


class BalanceSampler:
    def __init__(self, balance, density_g_per_ml: float, evaporation_rate_mg_per_h: float = 0.0,  # noqa: ANN001
                 rate_scale: float = 1.0) -> None:
        self.balance = balance
        self.density_g_per_ml = density_g_per_ml
        self.evaporation_rate_mg_per_h = evaporation_rate_mg_per_h
        self.rate_scale = rate_scale
        self.baseline: GravimetricReading | None = None
        self.errors = 0
        self.power_up_count = 0
        self.last_error: str | None = None
        self.last: GravimetricReading | None = None
        self._backoff = FailureBackoff(MAX_N_FAILURES_IN_A_ROW, RETRY_FIRST_S, RETRY_MAX_S)
        self._port_gone: str | None = None

    def _read_once(self):  # noqa: ANN202
        for _ in range(MAX_N_RESETS_PER_READ):
            try:
                return self.balance.read_mass_immediately()
            except DeviceAlarm as exc:
                if exc.alarm != "reset":
                    raise
                if self.baseline is not None:  # before the first reading the balance simply came up: no gap
                    self.power_up_count += 1  # the announcement is acknowledged by this exchange: read again
        return self.balance.read_mass_immediately()

    def _failed(self, t_s: float, why: str, port_gone: bool = False) -> None:
        self.errors += 1
        self.last_error = f"t={t_s:.0f} s: {why}"
        if port_gone:
            self._port_gone = f"at t={t_s:.0f} s, its port gone ({why})"
        self._backoff.failed(t_s)

    @property
    def failures_in_a_row(self) -> int:
        return self._backoff.failures_in_a_row

    @property
    def lost(self) -> str | None:
        """When and why the balance is lost (None: it is not): its port went away, or its last readings failed."""
        if self._port_gone is not None:
            return self._port_gone
        if self.failures_in_a_row >= MAX_N_FAILURES_IN_A_ROW:
            return (f"from t={self._backoff.since_s:.0f} s on, its last {self.failures_in_a_row} readings failed "
                    f"(the last at {self.last_error})")
        return None

    def retry_now(self) -> None:
        """The next reading is attempted whenever it comes (the run's last: whether the balance came back)."""
        self._backoff.retry_now()

    def read(self, t_s: float) -> GravimetricReading | None:
        """One immediate reading (SI); None (error counted and kept) if the balance cannot answer, and without
        reading while a failing balance waits for its next attempt or once its port is gone."""
        if self._port_gone is not None or self._backoff.waiting(t_s):
            return None
        try:
            reading = self._read_once()
        except DriverError as exc:
            self._failed(t_s, f"{type(exc).__name__}: {exc}", isinstance(exc, DeviceDisconnected))
            return None
        if not math.isfinite(reading.mass_g):
            self._failed(t_s, f"balance reported mass {reading.mass_g!r} g, not a finite number [SR-HIL-005]")
            return None
        self._backoff.succeeded()
        if self.baseline is None or self.baseline.power_up_count != self.power_up_count:
            carried_ul = self.last.volume_ul if self.last is not None else 0.0
            self.baseline = GravimetricReading(t_s, reading.mass_g, reading.stable, carried_ul, self.power_up_count)
            self.last = self.baseline
            return self.baseline
        # mass_to_volume_ul measures evaporation time from the earliest time it is given: the baseline
        volume_ul = mass_to_volume_ul(np.array([self.baseline.mass_g, reading.mass_g]),
                                      np.array([self.baseline.t_s, t_s]) / self.rate_scale,
                                      initial_mass_g=self.baseline.mass_g,
                                      density_g_per_ml=self.density_g_per_ml,
                                      evaporation_rate_mg_per_h=self.evaporation_rate_mg_per_h)[-1]
        self.last = GravimetricReading(t_s, reading.mass_g, reading.stable,
                                       self.baseline.volume_ul + float(volume_ul), self.power_up_count)
        return self.last
