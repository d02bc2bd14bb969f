"""`itpump run` on the emulated NE-1000 rig: clinician boluses stacked back to back, each within the bolus, rate and
24 h limits, stop at the one that would take the predicted lumbar CSF level above its ceiling (SR-DOSE-008), and the
run's own lumbar CSF envelope then passes. Before the predicted-exposure check all were approved and the envelope
failed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from hil.cli.main import main
from scenario_yaml import adult_scenario_yaml

pytestmark = pytest.mark.timeout(180)

STACKED = [
    "{at_h: 0.0, action: prime}",
    "{at_h: 2.0, action: clinician_bolus, dose_mcg: 100, duration_min: 30, expect: {decision: approved}}",
    "{at_h: 2.5, action: clinician_bolus, dose_mcg: 100, duration_min: 30, expect: {decision: approved}}",
    "{at_h: 3.0, action: clinician_bolus, dose_mcg: 100, duration_min: 30, "
    "expect: {decision: rejected, cites_requirement_ids: [SR-DOSE-008], reason_contains: lumbar CSF}}",
]


@pytest.mark.requirements("SR-DOSE-008")
def test_stacked_boluses_stop_before_the_lumbar_ceiling_and_the_envelope_passes(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "stacked-boluses.yaml"
    scenario.write_text(adult_scenario_yaml("stacked-boluses", 12.0, STACKED, expectations=(
        "expectations:\n  envelopes:\n    - {name: lumbar_csf_ceiling}\n")))
    code = main(["run", str(scenario), "--rig", "bench_configs/rigs/emulated-ne1000.yaml",
                 "--out", str(tmp_path / "run"), "--no-progress", "--json"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0, summary
    assert summary["outcome"] == "PASS"
