"""Oral reference regimen: steady-state peak plasma baclofen, for the plasma-reduction envelope.

Oral model (pk-model.md 1.1): first-order absorption (ka 1.0 /h [A]) with bioavailability F (0.74,
Agarwal 2015) into the same two-compartment systemic disposition as the intrathecal model (Kochak
1985 /F values x F, weight-scaled). Check: a 10 mg single dose peaks at about 150 ng/mL at 1.3 h
(observed 140 ng/mL at 1.25-1.5 h); 20 mg every 8 h reaches a steady-state peak of about 382 ng/mL.
The reference regimen is the maximum labelled one, 20 mg four times a day (steady-state peak ~438 ng/mL
for a 70 kg adult, modelled as every 6 h).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from firmware_sim.pk.model import PatientBatch, LinearSystem, systemic_values
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.peaks import find_peaks
from firmware_sim.pk.profile import DeliveryProfile, InstantBolus
from firmware_sim.units import H_PER_DAY, MCG_PER_MG

PLASMA_OUTPUT = "plasma_ng_per_ml"


_TIMES_A_DAY = {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}
_RANGES = {"dose_mg": (0.0, 1000.0), "interval_h": (0.0, 168.0), "absorption_rate_per_h": (0.0, 100.0),
           "bioavailability_fraction": (0.0, 1.0)}
"""Open at the bottom (0 is refused), closed at the top."""


@dataclass(frozen=True)
class OralRegimen:
    """An oral baclofen regimen at steady state: dose_mg every interval_h hours.

    The default is the maximum labelled oral regimen, 20 mg four times a day (80 mg/day): patients move
    to intrathecal therapy after maximal oral therapy, so that is what the plasma-reduction envelope
    compares against (pk-model.md 1.1: 80 mg/day label maximum).
    """

    dose_mg: float = 20.0
    interval_h: float = 6.0
    bioavailability_fraction: float = 0.74
    absorption_rate_per_h: float = 1.0          # [A]
    n_doses_to_steady_state: int = 80            # 20 days at 6 h: many plasma half-lives (3.6 h)

    def __post_init__(self) -> None:
        for name, (low, high) in _RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low < float(value) <= high:
                raise ValueError(
                    f"OralRegimen.{name} must be a finite number within ({low:g}, {high:g}], got {value!r}"
                )
        n = self.n_doses_to_steady_state
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= 10_000:
            raise ValueError(f"OralRegimen.n_doses_to_steady_state must be an integer within [1, 10000], got {n!r}")

    @property
    def daily_dose_mg(self) -> float:
        return self.dose_mg * H_PER_DAY / self.interval_h

    @property
    def description(self) -> str:
        """E.g. 'oral baclofen 20 mg four times a day (80 mg/day), steady state'."""
        per_day = H_PER_DAY / self.interval_h
        times = _TIMES_A_DAY.get(round(per_day)) if abs(per_day - round(per_day)) < 1e-9 else None
        schedule = times or f"every {self.interval_h:g} h"
        return f"oral baclofen {self.dose_mg:g} mg {schedule} ({self.daily_dose_mg:.4g} mg/day), steady state"


MAXIMUM_LABELLED_ORAL_REGIMEN = OralRegimen()
"""20 mg four times a day (80 mg/day): the default comparator of the plasma-reduction envelope (SR-PK-001)."""


def oral_system_batch(batch: PatientBatch, regimen: OralRegimen) -> LinearSystem:
    """States: gut amount, plasma central, plasma peripheral (mcg); output plasma ng/mL; one system per patient."""
    s = systemic_values(batch.values)
    cls, q = s["systemic_clearance_l_per_h"], s["plasma_intercompartmental_clearance_l_per_h"]
    vc, vp = s["plasma_central_volume_l"], s["plasma_peripheral_volume_l"]
    n_patients = batch.n_patients
    k = np.zeros((n_patients, 3, 3))
    k[:, 0, 0] = -regimen.absorption_rate_per_h
    k[:, 1, 0] = regimen.absorption_rate_per_h
    k[:, 1, 1] = -(cls + q) / vc
    k[:, 1, 2] = q / vp
    k[:, 2, 1] = q / vc
    k[:, 2, 2] = -q / vp
    dose_input = np.zeros((n_patients, 3))
    dose_input[:, 0] = regimen.bioavailability_fraction
    c = np.zeros((n_patients, 1, 3))
    c[:, 0, 1] = 1.0 / vc
    return LinearSystem(k, np.zeros((n_patients, 3)), dose_input, c, (PLASMA_OUTPUT,))


def oral_system(params: BaclofenParams, regimen: OralRegimen) -> LinearSystem:
    """The one-patient oral system of oral_system_batch."""
    return oral_system_batch(PatientBatch.from_params(params), regimen)


def steady_state_doses(regimen: OralRegimen) -> tuple[DeliveryProfile, float]:
    """The regimen's doses up to steady state and the start of the last dosing interval (h)."""
    n = regimen.n_doses_to_steady_state
    doses = tuple(InstantBolus(i * regimen.interval_h, regimen.dose_mg * MCG_PER_MG) for i in range(n))
    return DeliveryProfile(instant_boluses=doses), (n - 1) * regimen.interval_h


def oral_steady_state_peak_plasma_ng_per_ml(
    params: BaclofenParams | None = None, regimen: OralRegimen | None = None
) -> float:
    """Peak plasma over the last dosing interval after regimen.n_doses_to_steady_state doses."""
    params, regimen = params or BaclofenParams(), regimen or OralRegimen()
    profile, last = steady_state_doses(regimen)
    peaks = find_peaks(oral_system(params, regimen), profile, last, last + regimen.interval_h)
    return peaks[PLASMA_OUTPUT].value
