"""The virtual-patient sweep (bench_configs/campaigns/patient-sweep.yaml) in small: two of its therapy scenarios,
300 patients instead of 10,000, through `itpump campaign`; each scenario reports, per envelope, the fraction of
its patients passing and the spread of the value (summary.json patients_by_scenario, report.html)."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import yaml

from firmware_sim.pk.withdrawal import RUN_ENVELOPE_NAMES
from hil.cli.main import main
from hil.paths import bench_configs_dir

pytestmark = pytest.mark.timeout(280)
THERAPY = ("adult-maintenance-flex", "pediatric-maintenance", "post-implant-titration", "ptm-use",
           "refill-concentration-change", "screening-bolus")


def test_the_bundled_sweep_covers_every_therapy_scenario_and_no_hazard():
    sweep = yaml.safe_load((bench_configs_dir() / "campaigns" / "patient-sweep.yaml").read_text())
    shipped = {p.stem for p in (bench_configs_dir() / "scenarios").glob("*.yaml") if not p.stem.startswith("hazard")}
    assert set(sweep["scenarios"]) == shipped == set(THERAPY)
    assert sweep["faults"] == ["none"] and sweep["patients"]["count"] == 10_000


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003", "SR-PK-004", "SR-PK-005", "SR-PK-006")
def test_a_small_sweep_reports_each_scenarios_patients_per_envelope(tmp_path: Path) -> None:
    sweep = yaml.safe_load((bench_configs_dir() / "campaigns" / "patient-sweep.yaml").read_text())
    sweep.update(name="patient-sweep-small", scenarios=["ptm-use", "screening-bolus"])
    sweep["patients"]["count"] = 300
    path = tmp_path / "patient-sweep-small.yaml"  # scenarios and rig by bundled name
    path.write_text(yaml.safe_dump(sweep))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["campaign", str(path), "--out", str(tmp_path / "c"), "--workers", "1", "--no-progress", "--json"])
    summary = json.loads(out.getvalue())
    assert code == 0, summary
    by_scenario = summary["patients_by_scenario"]
    assert set(by_scenario) == {"ptm-use", "screening-bolus"}
    for scenario, envelopes in by_scenario.items():
        assert set(envelopes) == set(RUN_ENVELOPE_NAMES), scenario
        for name, p in envelopes.items():
            assert p["n_patients"] == 300 and 0 <= p["n_passing"] <= 300, (scenario, name)
            assert p["fraction_passing"] == p["n_passing"] / 300
            if p["p50"] is not None:
                assert p["p5"] <= p["p50"] <= p["p95"], (scenario, name)
    # ptm-use runs a program all along: the withdrawal envelope is judged per patient and passes (no drop)
    assert by_scenario["ptm-use"]["withdrawal"]["fraction_passing"] == 1.0
    assert by_scenario["ptm-use"]["withdrawal"]["p95"] == 0.0
    # screening-bolus runs no program: nobody's withdrawal can be judged, so nobody counts as passing it
    assert by_scenario["screening-bolus"]["withdrawal"]["n_passing"] == 0
    assert by_scenario["screening-bolus"]["withdrawal"]["p50"] is None
    # the lumbar peak of a 100 mcg screening bolus spreads across patients by more than 3x from p5 to p95
    lumbar = by_scenario["screening-bolus"]["lumbar_csf_ceiling"]
    assert lumbar["p95"] > 3 * lumbar["p5"]
    pooled = summary["envelopes"]["plasma_ceiling"]["patients"]
    assert pooled["n_patients"] == 600
    assert pooled["n_passing"] == sum(by_scenario[s]["plasma_ceiling"]["n_passing"] for s in by_scenario)
    assert "Virtual patients per scenario" in (tmp_path / "c" / "report.html").read_text()
