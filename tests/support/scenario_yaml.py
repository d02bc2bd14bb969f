"""Scenario files for tests: the adult set-up most tests share (a 75 kg adult with spinal spasticity, baclofen at
2000 mcg/mL, 8 mL in a 20 mL reservoir behind a 110 cm catheter), with each test's own name, duration, supervision
period, steps and expectations spelled out where the test is.

    text = adult_scenario_yaml("short", 2.0, ["{at_h: 0.0, action: prime}", "{at_h: 2.0, action: wait}"])
"""
from __future__ import annotations

from collections.abc import Sequence

ADULT_PATIENT = "{weight_kg: 75, age_group: adult, age_years: 47, indication: spinal}"
BACLOFEN_2000 = "{name: baclofen, conc_mcg_per_ml: 2000}"
PUMP_SETTINGS = """\
pump_settings:
  reservoir_volume_ul: 8000
  reservoir_capacity_ul: 20000
  catheter: {length_cm: 110, volume_ul_per_cm: 2.6}
  pump_tubing_volume_ul: 220
  low_reservoir_threshold_ul: 2000
"""
NO_OCCLUSION = """\
expectations:
  alarms:
    - {name: occlusion, occurs: false}
"""


def adult_scenario_yaml(name: str, duration_h: float, steps: Sequence[str], *, supervision_period_s: float = 240,
                        expectations: str = "") -> str:
    """The scenario file's text; steps are YAML flow mappings, expectations a whole `expectations:` block."""
    return (f"name: {name}\nduration_h: {duration_h}\nsupervision_period_s: {supervision_period_s}\n"
            f"patient: {ADULT_PATIENT}\ndrug: {BACLOFEN_2000}\n{PUMP_SETTINGS}steps:\n"
            + "".join(f"  - {step}\n" for step in steps) + expectations)
