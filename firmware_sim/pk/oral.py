"""Oral reference regimen: steady-state peak plasma baclofen, for the plasma-reduction envelope.

Oral model (pk-model.md 1.1): first-order absorption (ka 1.0 /h [A]) with bioavailability F (0.74,
Agarwal 2015) into the same two-compartment systemic disposition as the intrathecal model (Kochak
1985 /F values x F, weight-scaled). Check: 20 mg every 8 h gives a steady-state Cmax of about
430 ng/mL; a 10 mg single dose about 150 ng/mL at 1.3 h (observed 140 ng/mL at 1.25-1.5 h).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_sim.pk.model import PatientBatch, LinearSystem, systemic_values
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.peaks import find_peaks
from firmware_sim.pk.profile import DeliveryProfile, InstantBolus
from firmware_sim.units import MCG_PER_MG

PLASMA_OUTPUT = "plasma_ng_per_ml"


@dataclass(frozen=True)
class OralRegimen:
    dose_mg: float = 20.0
    interval_h: float = 8.0
    bioavailability_fraction: float = 0.74
    absorption_rate_per_h: float = 1.0          # [A]
    doses_to_steady_state: int = 60            # 20 days at 8 h: many plasma half-lives (3.6 h)

    def __post_init__(self) -> None:
        for name in ("dose_mg", "interval_h", "absorption_rate_per_h", "doses_to_steady_state"):
            if not getattr(self, name) > 0:
                raise ValueError(f"OralRegimen.{name} must be > 0, got {getattr(self, name)}")
        if not 0 < self.bioavailability_fraction <= 1:
            raise ValueError(f"OralRegimen.bioavailability_fraction must be within (0, 1], got {self.bioavailability_fraction}")


def oral_system(params: BaclofenParams, regimen: OralRegimen) -> LinearSystem:
    """States: gut amount, plasma central, plasma peripheral (mcg); output plasma ng/mL."""
    s = {k: float(v[0]) for k, v in systemic_values(PatientBatch.from_params(params).values).items()}
    cls, q = s["systemic_clearance_l_per_h"], s["plasma_intercompartmental_clearance_l_per_h"]
    vc, vp = s["plasma_central_volume_l"], s["plasma_peripheral_volume_l"]
    ka = regimen.absorption_rate_per_h
    k = np.array([[-ka, 0.0, 0.0], [ka, -(cls + q) / vc, q / vp], [0.0, q / vc, -q / vp]])
    dose_input = np.array([regimen.bioavailability_fraction, 0.0, 0.0])
    c = np.array([[0.0, 1.0 / vc, 0.0]])
    return LinearSystem(k[None], np.zeros((1, 3)), dose_input[None], c[None], (PLASMA_OUTPUT,))


def oral_steady_state_peak_plasma_ng_per_ml(params: BaclofenParams | None = None, regimen: OralRegimen | None = None) -> float:
    """Peak plasma over the last dosing interval after regimen.doses_to_steady_state doses."""
    params, regimen = params or BaclofenParams(), regimen or OralRegimen()
    n = regimen.doses_to_steady_state
    doses = tuple(InstantBolus(i * regimen.interval_h, regimen.dose_mg * MCG_PER_MG) for i in range(n))
    last = (n - 1) * regimen.interval_h
    peaks = find_peaks(oral_system(params, regimen), DeliveryProfile(instant_boluses=doses), last, last + regimen.interval_h)
    return peaks[PLASMA_OUTPUT].value
