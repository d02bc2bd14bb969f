"""Plausibility bounds of configuration values, in one place (no pydantic here: the CLI argument parsers use it too).

Three kinds of bound:
- Input size: what the YAML reader accepts before it builds anything (file size, alias expansion, nesting).
- Harness capacity: the smallest intervals the harness runs in bounded time and memory (measured; see README).
- Drug label: a drug library or a scenario's `drug.limits_override` beyond the label's range, or a scenario patient
  outside the label's population (younger, lighter), needs an explicit `acknowledge_beyond_label: "<reason>"` (in the
  library, `drug.` or `patient.`); beyond the absolute bounds it is refused whatever the acknowledgement.
  Sources: /work/shared/reference/clinical-and-device.md sections 1.1-1.4 and 2.1 ([C] confirmed, [S] secondary,
  [U] unconfirmed) and the label's section 12; [A] marks an assumption where the reference has no figure. The [U]
  and [A] ones are placeholders to check against the label and the device manual, changed here and nowhere else.
"""
from __future__ import annotations

from firmware_sim.units import H_PER_DAY, MIN_PER_DAY

# --- input size (YAML reader) ---
MAX_CONFIG_FILE_BYTES = 1_000_000
"""A rig, scenario or drug library file is a few kB; anything larger is refused before it is read."""
MAX_N_YAML_ALIASES = 100
"""Alias (*name) uses per file."""
MAX_N_YAML_EXPANDED_NODES = 100_000
"""Nodes of the document with every alias expanded (counted on the composed graph, before expansion)."""
MAX_YAML_DEPTH = 64
"""Nesting of mappings and sequences."""
MAX_N_INTEGER_CHARS = 100
"""Characters of an integer as written: a config's integers are short, and Python refuses to convert one of more
than 4300 digits (a ValueError the reader would otherwise not place)."""

# --- harness capacity ---
MIN_HARNESS_SUPERVISION_PERIOD_S = 1.0
"""Smallest supervision period the harness runs, the firmware's own (firmware_sim.pump.config.
MIN_SUPERVISION_PERIOD_S). What bounds a run's cost is the number of ticks (MAX_SUPERVISION_TICKS): every tick is
a serial poll of the pump and a record line. Measured on the emulated NE-1000 rig (ptm-use, 48 h, 2 shared
cores): 60 s -> 6.5 s wall, 20 s -> 18 s, 10 s (17,280 ticks) -> 22 s; 1 s (172,800 ticks, refused by the tick
bound) did not finish in 180 s. Short wall-clock bench checks use periods of a few seconds."""
MAX_SUPERVISION_TICKS = 100_000
"""duration_h x 3600 / supervision_period_s (about 1.3 ms a tick measured, so about 2 minutes): a 30-day
scenario needs a period of at least 26 s."""
MIN_BALANCE_SAMPLE_INTERVAL_S = 1.0
"""MT-SICS balances stabilise in about a second; faster sampling only records noise."""
MAX_BALANCE_SAMPLES = 200_000
"""Balance readings one gravimetric window may plan (window length / sample_interval_s)."""
MIN_TIMEOUT_S = 0.01
MAX_TIMEOUT_S = 600.0
MAX_STARTUP_WAIT_S = 600.0

# --- patient ---
MIN_PATIENT_WEIGHT_KG = 2.0
"""Below any patient the PK model is meant for (the weight covariates make its matrices singular near 0 kg): refused
whatever the acknowledgement. Lighter than LABEL_MIN_PATIENT_WEIGHT_KG needs one."""
MAX_PATIENT_WEIGHT_KG = 250.0
LABEL_MIN_AGE_YEARS = 4.0
"""The label's youngest patients: "adult and pediatric patients age 4 years and above"; safety and effectiveness
below 4 years not established (reference 1.1, Gablofen age; [C]). A younger scenario patient needs
`patient.acknowledge_beyond_label`."""
LABEL_MIN_PATIENT_WEIGHT_KG = 12.0
"""[A] assumption, not in the reference (it has no weight floor): about the lightest 4-year-old of a standard growth
chart (WHO Child Growth Standards weight-for-age at 48 months, -2 SD: about 12.3 kg for girls, seen in a third-party
transcription of the WHO table, not the WHO table itself). A lighter scenario patient, whatever the age, is outside
the population the label's age range covers and needs `patient.acknowledge_beyond_label`."""

# --- drug label (baclofen; intrathecal) ---
LABEL_MAX_DAILY_DOSE_MCG = 2003.0
"""Highest spinal daily dose in the label's experience ("as high as 2003 mcg/day"; [U], reference 1.4)."""
LABEL_MAX_BOLUS_DOSE_MCG = 100.0
"""Largest screening bolus (reference 1.2; [S])."""
LABEL_MIN_BOLUS_DURATION_MIN = 1.0
"""Screening bolus over at least 1 minute (reference 1.2; [S])."""
LABEL_MAX_CONC_MCG_PER_ML = 3000.0
"""Strongest marketed concentration (Gablofen 3000 optional; reference 1.1; [S])."""
LABEL_MAX_TITRATION_CAP_FRACTION = {"spinal": 0.40, "cerebral": 0.20}
"""Largest maintenance increase per step (spinal 10-40 % [U], cerebral 5-20 % [S]; reference 1.3)."""
LABEL_MAX_RATE_MCG_PER_H = 200.0
"""[A] assumption: the reference has no pump drug rate. The label's only rate is the screening bolus by lumbar
puncture (100 mcg over at least 1 min, 6000 mcg/h; reference 1.2), an injection, not a pump delivery; the SynchroMed II
flow and bolus-rate limits were not retrieved (reference 2.1 and section 7 gap 3; [U]). So the bundled library's
200 mcg/h (firmware_sim DrugLimits default): a faster drug rate needs the acknowledgement."""
LABEL_MAX_MAINTENANCE_DAILY_DOSE_MCG = {"spinal": 800.0, "cerebral": 703.0}
"""Upper end of the usual maintenance dose: spinal origin 300-800 mcg/day, cerebral origin 90-703 mcg/day (reference
1.4; [S]). The highest soft maximum (soft_max_daily_dose_mcg: spinal; cerebral_soft_max_daily_dose_mcg: cerebral)
within the label: a soft maximum above it (for example equal to the hard maximum) silences the soft alert for doses
above the usual range, and needs the acknowledgement."""
LABEL_MIN_PTM_LOCKOUT_MIN = 60.0
"""[A] assumption: the reference found no myPTM lockout range (reference 2.1; [U]). The label's intrathecal bolus takes
effect 0.5-1 h after it is given (label 12.2; [C]): a shorter lockout lets a patient start another bolus before the
previous one has taken effect. Equal to the bundled library's placeholder (60 min)."""
LABEL_MAX_PTM_COUNT_PER_24H = 8
"""[A] assumption: the reference found no myPTM maximum activations per day (reference 2.1; [U]), nor does the label
give one. The bundled library's placeholder (8 per 24 h), conservative until the myPTM specification is checked."""
LABEL_MIN_TITRATION_INTERVAL_H = 24.0
"""At most one dose increase per 24 h, spinal and cerebral origin (reference 1.3; [S])."""
LABEL_SCREENING_CONC_MCG_PER_ML = 50.0
"""The screening concentration (the 50 mcg/mL ampoule; reference 1.1 and 1.2; [S]): for screening boluses only."""
LABEL_MIN_SCREENING_INTERVAL_H = 24.0
"""Screening boluses at least 24 h apart (reference 1.2 and the summary table; [S])."""

ABSOLUTE_MAX_DAILY_DOSE_MCG = 10_000.0
"""About five times the label's highest daily dose: refused even when acknowledged."""
ABSOLUTE_MAX_BOLUS_DOSE_MCG = 1_000.0
ABSOLUTE_MAX_CONC_MCG_PER_ML = 10_000.0
ABSOLUTE_MAX_RATE_MCG_PER_H = 60_000.0
ABSOLUTE_MAX_WINDOW_H = 7 * H_PER_DAY
ABSOLUTE_MAX_LOCKOUT_MIN = MIN_PER_DAY
ABSOLUTE_MAX_PTM_COUNT_PER_24H = 100
MIN_ACKNOWLEDGEMENT_CHARS = 10
"""An acknowledgement gives a reason, not just 'yes'."""
