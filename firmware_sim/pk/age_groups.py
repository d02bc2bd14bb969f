"""Adult and pediatric patients: the age cut the plasma ceiling depends on (label: children 8-18 years).

Kept apart from the envelopes so that configuration checks can use it without loading the PK kernel.
"""
from __future__ import annotations

from enum import Enum

PEDIATRIC_BELOW_AGE_YEARS = 18.0


class AgeGroup(str, Enum):
    ADULT = "adult"
    PEDIATRIC = "pediatric"


def age_group(age_years: float, pediatric_below_age_years: float = PEDIATRIC_BELOW_AGE_YEARS) -> AgeGroup:
    if not age_years >= 0:
        raise ValueError(f"age_years must be >= 0, got {age_years}")
    return AgeGroup.PEDIATRIC if age_years < pediatric_below_age_years else AgeGroup.ADULT
