"""Plausibility bounds of configuration values, in one place (no pydantic here: the CLI argument parsers use it too).

Three kinds of bound:
- Input size: what the YAML reader accepts before it builds anything (file size, alias expansion, nesting).
- Harness capacity: the smallest intervals the harness runs in bounded time and memory (measured; see README).
- Drug label: a drug library or a scenario's `drug.limits_override` beyond the label's range needs an explicit
  `acknowledge_beyond_label: "<reason>"`; beyond the absolute bounds it is refused whatever the acknowledgement.
  Sources: /work/shared/reference/clinical-and-device.md sections 1.1-1.4 ([S] secondary, [U] unconfirmed);
  the unconfirmed ones are placeholders to check against the label, changed here and nowhere else.
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
"""Below any patient the PK model is meant for (the weight covariates make its matrices singular near 0 kg)."""
MAX_PATIENT_WEIGHT_KG = 250.0

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
LABEL_MAX_RATE_MCG_PER_H = 6000.0
"""The label's largest bolus (100 mcg) over its shortest duration (1 min)."""
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
