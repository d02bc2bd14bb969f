"""The linear ITB model as matrices, built for a whole batch of patients at once.

States (amounts in mcg, effect sites in ng/mL):
  0 lumbar (spinal) CSF, 1 cord/meningeal tissue reservoir, 2 cisternal (cranial) CSF,
  3 plasma central, 4 plasma peripheral, 5 fast effect site, 6 slow effect site.
Intrathecal drug (infusion and boluses) enters state 0. Outputs are the four concentrations of
OUTPUT_NAMES. Everything is vectorised over patients: K has shape (N, n, n).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from collections.abc import Mapping, Sequence

import numpy as np

from firmware_sim.pk.params import PARAM_RANGES, BaclofenParams
from firmware_sim.units import NG_PER_MCG

STATE_NAMES: tuple[str, ...] = (
    "lumbar_csf_mcg", "tissue_mcg", "cisternal_csf_mcg", "plasma_central_mcg",
    "plasma_peripheral_mcg", "effect_fast_ng_per_ml", "effect_slow_ng_per_ml",
)
OUTPUT_NAMES: tuple[str, ...] = (
    "lumbar_csf_ng_per_ml", "cisternal_csf_ng_per_ml", "plasma_ng_per_ml", "effect_ng_per_ml",
)
SITE_OUTPUTS: tuple[str, ...] = OUTPUT_NAMES[:3]
"""The drug concentrations at the three sites (lumbar CSF, cisternal CSF, plasma), without the effect output: what
peaks, pk_series lines and population bands are reported for."""
PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in fields(BaclofenParams))


@dataclass(frozen=True)
class LinearSystem:
    """x' = K x + infusion_input * rate_mcg_per_h; a bolus adds bolus_input * dose_mcg; y = C x."""

    k_per_h: np.ndarray          # (N, n, n)
    infusion_input: np.ndarray   # (N, n), state change per mcg/h
    bolus_input: np.ndarray      # (N, n), state jump per mcg
    output_matrix: np.ndarray    # (N, m, n)
    output_names: tuple[str, ...]

    def __post_init__(self) -> None:
        """A non-finite matrix entry is refused here, by name, not later as a LinAlgError inside expm."""
        for name in ("k_per_h", "infusion_input", "bolus_input", "output_matrix"):
            values = getattr(self, name)
            finite = np.isfinite(values).reshape(values.shape[0], -1).all(axis=1)
            if not finite.all():
                i = int(np.argmin(finite))
                raise ValueError(f"LinearSystem.{name} has a non-finite entry for patient {i}: check that "
                                 f"patient's parameters (every one must be finite and within its range)")

    @property
    def n_patients(self) -> int:
        return int(self.k_per_h.shape[0])

    @property
    def n_states(self) -> int:
        return int(self.k_per_h.shape[1])


@dataclass(frozen=True)
class PatientBatch:
    """Per-patient values of every BaclofenParams field, each an array of shape (N,).

    creatinine_clearance_ml_per_min uses NaN for "normal renal function" (None in BaclofenParams).
    """

    values: Mapping[str, np.ndarray]

    def __post_init__(self) -> None:
        missing = set(PARAM_NAMES) - set(self.values)
        unknown = set(self.values) - set(PARAM_NAMES)
        if missing or unknown:
            raise ValueError(f"PatientBatch: missing fields {sorted(missing)}, unknown fields {sorted(unknown)}")
        sizes = {np.shape(v) for v in self.values.values()}
        if len(sizes) != 1 or len(next(iter(sizes))) != 1:
            raise ValueError(f"PatientBatch: every field must be a 1-D array of one length, got shapes {sizes}")
        for name, values in self.values.items():
            low, high = PARAM_RANGES[name]
            given = np.asarray(values, dtype=float)
            bad = ~((given >= low) & (given <= high))       # NaN and +-inf are outside too
            if name == "creatinine_clearance_ml_per_min":
                bad &= ~np.isnan(given)                       # NaN: normal renal function
            if bad.any():
                i = int(np.argmax(bad))
                raise ValueError(f"PatientBatch: {name} must be a finite number within [{low:g}, {high:g}] "
                                 f"for every patient, got {given[i]!r} for patient {i}")

    @classmethod
    def from_params(cls, params: BaclofenParams | Sequence[BaclofenParams]) -> PatientBatch:
        plist = [params] if isinstance(params, BaclofenParams) else list(params)
        if not plist:
            raise ValueError("PatientBatch.from_params needs at least one BaclofenParams")
        values = {}
        for name in PARAM_NAMES:
            raw = [getattr(p, name) for p in plist]
            values[name] = np.array([np.nan if v is None else v for v in raw], dtype=float)
        return cls(values)

    @property
    def n_patients(self) -> int:
        return len(next(iter(self.values.values())))

    def patient(self, index: int) -> BaclofenParams:
        clearance = "creatinine_clearance_ml_per_min"
        kwargs = {name: float(self.values[name][index]) for name in PARAM_NAMES if name != clearance}
        clearance_ml_per_min = float(self.values[clearance][index])
        return BaclofenParams(**kwargs, creatinine_clearance_ml_per_min=None if np.isnan(clearance_ml_per_min)
                              else clearance_ml_per_min)


def systemic_values(v: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Weight- and renal-scaled CLs, Q, Vc, Vp (L/h and L) per patient."""
    weight_ratio = v["weight_kg"] / v["reference_weight_kg"]
    cl_scale = weight_ratio ** v["clearance_weight_exponent"]
    v_scale = weight_ratio ** v["volume_weight_exponent"]
    crcl = v["creatinine_clearance_ml_per_min"]
    renal_scale = np.where(
        np.isnan(crcl),
        1.0,
        (1.0 - v["renal_fraction"])
        + v["renal_fraction"] * np.nan_to_num(crcl) / v["normal_creatinine_clearance_ml_per_min"],
    )
    return {
        "systemic_clearance_l_per_h": v["systemic_clearance_l_per_h"] * cl_scale * renal_scale,
        "plasma_intercompartmental_clearance_l_per_h": v["plasma_intercompartmental_clearance_l_per_h"] * cl_scale,
        "plasma_central_volume_l": v["plasma_central_volume_l"] * v_scale,
        "plasma_peripheral_volume_l": v["plasma_peripheral_volume_l"] * v_scale,
    }


def build_system(batch: PatientBatch) -> LinearSystem:
    """The ITB matrices for every patient of the batch."""
    v = batch.values
    s = systemic_values(v)
    n_patients, n = batch.n_patients, len(STATE_NAMES)
    k = np.zeros((n_patients, n, n))
    v1, v3 = v["lumbar_volume_ml"], v["cisternal_volume_ml"]
    cl1, q13 = v["lumbar_clearance_ml_per_h"], v["lumbar_cisternal_flow_ml_per_h"]
    cl3 = v["cisternal_clearance_ml_per_h"]
    k12, k21 = v["tissue_uptake_per_h"], v["tissue_return_per_h"]
    vc, vp = s["plasma_central_volume_l"], s["plasma_peripheral_volume_l"]
    cls, q = s["systemic_clearance_l_per_h"], s["plasma_intercompartmental_clearance_l_per_h"]
    ke_fast, ke_slow = v["biophase_fast_ke0_per_h"], v["biophase_slow_ke0_per_h"]

    k[:, 0, 0] = -(cl1 + q13) / v1 - k12
    k[:, 0, 1] = k21
    k[:, 0, 2] = q13 / v3
    k[:, 1, 0] = k12
    k[:, 1, 1] = -k21
    k[:, 2, 0] = q13 / v1
    k[:, 2, 2] = -(q13 + cl3) / v3
    k[:, 3, 0] = cl1 / v1
    k[:, 3, 2] = cl3 / v3
    k[:, 3, 3] = -(cls + q) / vc
    k[:, 3, 4] = q / vp
    k[:, 4, 3] = q / vc
    k[:, 4, 4] = -q / vp
    k[:, 5, 0] = ke_fast * NG_PER_MCG / v1
    k[:, 5, 5] = -ke_fast
    k[:, 6, 0] = ke_slow * NG_PER_MCG / v1
    k[:, 6, 6] = -ke_slow

    into_lumbar = np.zeros((n_patients, n))
    into_lumbar[:, 0] = 1.0
    c = np.zeros((n_patients, len(OUTPUT_NAMES), n))
    c[:, 0, 0] = NG_PER_MCG / v1
    c[:, 1, 2] = NG_PER_MCG / v3
    c[:, 2, 3] = 1.0 / vc  # mcg / L == ng / mL
    c[:, 3, 5] = v["biophase_fast_fraction"]
    c[:, 3, 6] = 1.0 - v["biophase_fast_fraction"]
    return LinearSystem(k, into_lumbar, into_lumbar.copy(), c, OUTPUT_NAMES)
