"""Unit constants shared by the firmware, the pharmacology and the harness.

Drug amounts are mcg, volumes uL, concentrations mcg/mL: mcg = uL x (mcg/mL) / UL_PER_ML. A bare 1000 in
a dose calculation is how a 1000x dosing error hides, so the conversion has one name.
"""
from __future__ import annotations

S_PER_H = 3600.0
S_PER_DAY = 86400.0
H_PER_DAY = 24.0
S_PER_YEAR = 365.0 * S_PER_DAY
UL_PER_ML = 1000.0
NG_PER_MCG = 1000.0
MCG_PER_MG = 1000.0
S_PER_MIN = 60.0
MIN_PER_H = 60.0
MIN_PER_DAY = H_PER_DAY * MIN_PER_H
MS_PER_S = 1000.0
MM_PER_INCH = 25.4
