"""Virtual patients: `patients: {count, seed, min_fraction_passing}` in a scenario (`itpump run`) or a campaign.

The delivered profile is judged for `count` virtual patients drawn from the population variability with `seed`
(firmware_sim.pk.population_verdict, the same evaluation `itpump predict --population` uses); each envelope
fails when fewer than `min_fraction_passing` of them pass it. `count` is bounded by MAX_PATIENTS (1,000,000:
about 15 min of PK per 30-day run on one core; a larger number is a typo).
"""
from __future__ import annotations

from pydantic import Field

from firmware_sim.pk.population_bounds import DEFAULT_MIN_FRACTION_PASSING, MAX_PATIENTS
from hil.config.common import Number, StrictModel, WholeNumber

__all__ = ["MAX_PATIENTS", "VirtualPatients"]


class VirtualPatients(StrictModel):
    count: WholeNumber = Field(ge=1, le=MAX_PATIENTS, description=f"virtual patients, 1 to {MAX_PATIENTS:,}")
    seed: WholeNumber = Field(0, ge=0, le=2**63 - 1, description="seed of the population sample")
    min_fraction_passing: Number = Field(DEFAULT_MIN_FRACTION_PASSING, gt=0, le=1,
                                         description="each envelope must pass in at least this fraction, within (0, 1]")
