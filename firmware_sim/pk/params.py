"""Baclofen PK/PD parameters for one patient: one typed, documented, overridable place.

Sources (see /work/shared/reference/pk-model.md, "ITB-6", sections 1-2):
- CSF part fitted to the intrathecal label (section 12.3): lumbar t1/2 1.51 h over the first 4 h,
  apparent CSF clearance 30 mL/h = CL1 + Q13*CL3/(Q13 + CL3) = 24 + 6, lumbar:cisternal 4:1 from
  Q13/(Q13 + CL3) = 0.25.
- Systemic part: Kochak et al. 1985 two-compartment oral disposition (/F values) times the oral
  bioavailability 0.74 (Agarwal et al. 2015): CL 8.0 L/h, Vc 21.3 L, Vp 14.6 L, Q 9.5 L/h at 70 kg.
- Effect (biophase): two sites on lumbar CSF, fitted to the label's PD timings; see docs/pk.md
  "Biophase fit" for how (tools/biophase_fit.py in the checkout re-runs the fit).

Every field can be overridden with dataclasses.replace(params, field=value). Facts marked [A]/[M]
in the reference are configurable here, with the reference value as the default.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

ADULT_REFERENCE_WEIGHT_KG = 70.0

PARAM_RANGES: dict[str, tuple[float, float]] = {
    "lumbar_volume_ml": (0.1, 5000.0),
    "lumbar_clearance_ml_per_h": (0.0, 10_000.0),
    "lumbar_cisternal_flow_ml_per_h": (0.0, 10_000.0),
    "cisternal_volume_ml": (0.1, 5000.0),
    "cisternal_clearance_ml_per_h": (0.0, 10_000.0),
    "tissue_uptake_per_h": (0.0, 1000.0),
    "tissue_return_per_h": (0.0, 1000.0),
    "systemic_clearance_l_per_h": (0.001, 1000.0),
    "plasma_central_volume_l": (0.001, 10_000.0),
    "plasma_peripheral_volume_l": (0.001, 10_000.0),
    "plasma_intercompartmental_clearance_l_per_h": (0.0, 1000.0),
    "renal_fraction": (0.0, 1.0),
    "creatinine_clearance_ml_per_min": (0.0, 1000.0),
    "normal_creatinine_clearance_ml_per_min": (1.0, 1000.0),
    "weight_kg": (0.3, 700.0),
    "reference_weight_kg": (0.3, 700.0),
    "clearance_weight_exponent": (0.0, 2.0),
    "volume_weight_exponent": (0.0, 2.0),
    "biophase_fast_ke0_per_h": (1e-6, 1000.0),
    "biophase_slow_ke0_per_h": (1e-6, 1000.0),
    "biophase_fast_fraction": (0.0, 1.0),
}
"""Allowed closed range of every parameter, in its own unit. Far wider than physiology (so sampled
populations stay inside), but narrow enough that the model's rates stay finite: a weight of 5e-324 kg or an
infinite volume is refused by name instead of surfacing as a LinAlgError or a NaN concentration."""


def check_param_range(name: str, value: float, prefix: str = "") -> None:
    """Raise ValueError naming the parameter and its allowed range unless value is finite and inside it."""
    low, high = PARAM_RANGES[name]
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{prefix}{name} must be a finite number within [{low:g}, {high:g}], got {value!r}")


@dataclass(frozen=True)
class BaclofenParams:
    """Typical-patient parameters; weight covariates are applied by the model, not stored here.

    Fields (units in the name):
    - lumbar_volume_ml: apparent spinal/lumbar CSF volume V1, 66.2 mL (fitted to t1/2 1.51 h).
    - lumbar_clearance_ml_per_h: local spinal loss to plasma CL1, 24 mL/h (30 mL/h minus the cranial route).
    - lumbar_cisternal_flow_ml_per_h: two-way mixing Q13 between lumbar and cisternal CSF, 8 mL/h
      (sets the 4:1 gradient with CL3 = 24 mL/h).
    - cisternal_volume_ml: cranial/cisternal CSF V3, 100 mL [A] (intracranial extraventricular CSF).
    - cisternal_clearance_ml_per_h: bulk absorption CL3, 24 mL/h [A] (CSF production ~0.4 mL/min).
    - tissue_uptake_per_h / tissue_return_per_h: optional cord/meningeal reservoir k12/k21, off by
      default (0/0) [A]; a large reservoir conflicts with the label's steady-state clearance.
    - systemic_clearance_l_per_h: CLs at the reference weight, 8.0 L/h (10.8 L/h CL/F x 0.74).
    - plasma_central_volume_l: Vc at the reference weight, 21.3 L (28.8 L Vc/F x 0.74).
    - plasma_peripheral_volume_l: Vp at the reference weight, 14.6 L (19.7 L Vp/F x 0.74).
    - plasma_intercompartmental_clearance_l_per_h: Q at the reference weight, 9.5 L/h (12.9 x 0.74).
    - renal_fraction: fraction of CLs that is renal, 0.7 [A] (Wuis 1989: 69 % unchanged in urine).
    - creatinine_clearance_ml_per_min: None means normal renal function; otherwise CLs is scaled by
      (1 - renal_fraction) + renal_fraction * CrCL / normal_creatinine_clearance_ml_per_min [A].
    - normal_creatinine_clearance_ml_per_min: 100 mL/min [A].
    - weight_kg: patient weight, adult default 70 kg.
    - reference_weight_kg: weight the systemic values refer to, 70 kg.
    - clearance_weight_exponent: allometric exponent on CLs and Q, 0.75 [A].
    - volume_weight_exponent: exponent on Vc and Vp, 1.0 [A].
      CSF parameters are not weight-scaled (adult values assumed for ages 8-18 [A]).
    - biophase_fast_ke0_per_h, biophase_slow_ke0_per_h, biophase_fast_fraction: the two-site
      effect model on lumbar CSF, effect = f * Ce_fast + (1 - f) * Ce_slow with
      dCe/dt = ke0 * (C_lumbar - Ce). Fitted values (docs/pk.md "Biophase fit", tools/biophase_fit.py): ke0
      fast 0.2097 /h, slow 0.0078 /h, fast fraction 0.86; a shape fit to label descriptors, not data [A].
    """

    lumbar_volume_ml: float = 66.2
    lumbar_clearance_ml_per_h: float = 24.0
    lumbar_cisternal_flow_ml_per_h: float = 8.0
    cisternal_volume_ml: float = 100.0
    cisternal_clearance_ml_per_h: float = 24.0
    tissue_uptake_per_h: float = 0.0
    tissue_return_per_h: float = 0.0
    systemic_clearance_l_per_h: float = 8.0
    plasma_central_volume_l: float = 21.3
    plasma_peripheral_volume_l: float = 14.6
    plasma_intercompartmental_clearance_l_per_h: float = 9.5
    renal_fraction: float = 0.7
    creatinine_clearance_ml_per_min: float | None = None
    normal_creatinine_clearance_ml_per_min: float = 100.0
    weight_kg: float = ADULT_REFERENCE_WEIGHT_KG
    reference_weight_kg: float = ADULT_REFERENCE_WEIGHT_KG
    clearance_weight_exponent: float = 0.75
    volume_weight_exponent: float = 1.0
    biophase_fast_ke0_per_h: float = 0.2097
    biophase_slow_ke0_per_h: float = 0.0078
    biophase_fast_fraction: float = 0.86

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.name == "creatinine_clearance_ml_per_min":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"BaclofenParams.{f.name} must be a number, got {value!r}")
            check_param_range(f.name, value, "BaclofenParams.")

    @property
    def lumbar_apparent_clearance_ml_per_h(self) -> float:
        """Closed form CL_app = CL1 + Q13*CL3/(Q13 + CL3) (reservoir off): rate / lumbar Css."""
        q, cl3 = self.lumbar_cisternal_flow_ml_per_h, self.cisternal_clearance_ml_per_h
        return self.lumbar_clearance_ml_per_h + (q * cl3 / (q + cl3) if q + cl3 > 0 else 0.0)

    @property
    def cisternal_to_lumbar_steady_state_ratio(self) -> float:
        """Closed form r = Q13/(Q13 + CL3): cisternal Css / lumbar Css."""
        q, cl3 = self.lumbar_cisternal_flow_ml_per_h, self.cisternal_clearance_ml_per_h
        return q / (q + cl3) if q + cl3 > 0 else 0.0


def params_for_weight(weight_kg: float, base: BaclofenParams | None = None) -> BaclofenParams:
    """The base parameters (adult default) for a patient of another weight."""
    from dataclasses import replace

    return replace(base or BaclofenParams(), weight_kg=weight_kg)
