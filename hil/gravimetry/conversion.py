"""Balance mass to delivered volume: by density, with the vessel's evaporation added back."""
from __future__ import annotations

import numpy as np

from firmware_sim.units import S_PER_H, UL_PER_ML

G_PER_MG = 1e-3
WATER_DENSITY_G_PER_ML = 0.998  # at 20 degC, the IEC 60601-2-24 working value [U]


def mass_to_volume_ul(mass_g: np.ndarray | float, t_s: np.ndarray | float, *, initial_mass_g: float,
                      density_g_per_ml: float, evaporation_rate_mg_per_h: float = 0.0) -> np.ndarray:
    """Volume collected since the first reading, in uL.

    volume = (mass - initial_mass + evaporation_rate * t) / density, with t measured from the first reading.
    """
    if density_g_per_ml <= 0:
        raise ValueError(f"density_g_per_ml must be > 0, got {density_g_per_ml}")
    if evaporation_rate_mg_per_h < 0:
        raise ValueError(f"evaporation_rate_mg_per_h must be >= 0, got {evaporation_rate_mg_per_h}")
    mass = np.asarray(mass_g, dtype=float)
    elapsed_h = (np.asarray(t_s, dtype=float) - np.min(t_s)) / S_PER_H
    evaporated_g = evaporation_rate_mg_per_h * G_PER_MG * elapsed_h
    return (mass - initial_mass_g + evaporated_g) / density_g_per_ml * UL_PER_ML
