"""Seeded virtual populations: log-normal inter-patient variability, weight as covariate.

theta_i = theta * exp(eta_i), eta ~ N(0, omega^2), omega^2 = ln(1 + CV^2) (pk-model.md 2.6).
eta(CL1) and eta(V1) are correlated (rho 0.5 [A]); one eta scales both plasma volumes and one eta
both effect-site ke0 values [A]. Weight enters through the model's allometric scaling of CLs, Q, Vc, Vp.
The same seed gives the same patients on any machine (numpy PCG64).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_sim.pk.model import PatientBatch
from firmware_sim.pk.params import BaclofenParams


@dataclass(frozen=True)
class PopulationVariability:
    """Coefficients of variation (fractions) per parameter group; defaults from pk-model.md 2.6."""

    lumbar_clearance_cv: float = 0.475         # CL1: 45-50 %
    lumbar_volume_cv: float = 0.45             # V1: 40-50 %
    lumbar_clearance_volume_correlation: float = 0.5   # [A]
    lumbar_cisternal_flow_cv: float = 0.5      # Q13 [A]
    systemic_clearance_cv: float = 0.30        # CLs: 25-35 %
    systemic_volume_cv: float = 0.40           # Vc and Vp
    biophase_ke0_cv: float = 0.5               # both ke0 [A]

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if name.endswith("_cv") and not value >= 0:
                raise ValueError(f"PopulationVariability.{name} must be >= 0, got {value}")
        if not -1 < self.lumbar_clearance_volume_correlation < 1:
            raise ValueError("PopulationVariability.lumbar_clearance_volume_correlation must be within (-1, 1)")


def _omega(cv: float) -> float:
    return float(np.sqrt(np.log1p(cv * cv)))


def sample_population(
    n_patients: int,
    seed: int,
    *,
    base: BaclofenParams | None = None,
    variability: PopulationVariability | None = None,
    weight_kg: float | np.ndarray | None = None,
) -> PatientBatch:
    """n_patients virtual patients around base (default adult 70 kg); weight_kg overrides per patient."""
    if not isinstance(n_patients, (int, np.integer)) or n_patients < 1:
        raise ValueError(f"n_patients must be a positive integer, got {n_patients!r}")
    base = base or BaclofenParams()
    var = variability or PopulationVariability()
    rng = np.random.default_rng(seed)
    batch = PatientBatch.from_params(base)
    values = {name: np.repeat(v, n_patients) for name, v in batch.values.items()}

    w_cl, w_v = _omega(var.lumbar_clearance_cv), _omega(var.lumbar_volume_cv)
    rho = var.lumbar_clearance_volume_correlation
    z = rng.standard_normal((2, n_patients))
    eta_cl = w_cl * z[0]
    eta_v = w_v * (rho * z[0] + np.sqrt(1.0 - rho * rho) * z[1])
    values["lumbar_clearance_ml_per_h"] = values["lumbar_clearance_ml_per_h"] * np.exp(eta_cl)
    values["lumbar_volume_ml"] = values["lumbar_volume_ml"] * np.exp(eta_v)

    def scale(names: tuple[str, ...], cv: float) -> None:
        eta = rng.normal(0.0, _omega(cv), n_patients)
        for name in names:
            values[name] = values[name] * np.exp(eta)

    scale(("lumbar_cisternal_flow_ml_per_h",), var.lumbar_cisternal_flow_cv)
    scale(("systemic_clearance_l_per_h",), var.systemic_clearance_cv)
    scale(("plasma_central_volume_l", "plasma_peripheral_volume_l"), var.systemic_volume_cv)
    scale(("biophase_fast_ke0_per_h", "biophase_slow_ke0_per_h"), var.biophase_ke0_cv)

    if weight_kg is not None:
        weights = np.broadcast_to(np.asarray(weight_kg, dtype=float), (n_patients,)).copy()
        if not np.all(weights > 0):
            i = int(np.argmin(weights > 0))
            raise ValueError(f"weight_kg must be > 0 for every patient, got weight_kg[{i}]={weights[i]}")
        values["weight_kg"] = weights
    return PatientBatch(values)
