"""Campaign scaling: the same 24-run campaign on a LocalCluster of 1 and of 2 process workers, side by side in one
run (runs per minute and the speed-up; target >= 1.7x on 2 free cores), and the cost of judging 10,000 virtual
patients on one run's delivered profile, against that run's own time.

Run: .venv/bin/python benchmarks/campaign_scaling.py [--seeds 6] [--patients 10000]
(24 runs = 1 scenario x 1 rig x 4 fault plans x 6 seeds; the numbers depend on how busy the machine is.)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from hil.paths import CHECKOUT_BENCH_CONFIGS

SCENARIO = CHECKOUT_BENCH_CONFIGS / "campaigns" / "scenarios" / "campaign-short-continuous.yaml"
CAMPAIGN = """\
name: scaling
scenarios: [{scenario}]
rigs: [emulated-ne1000]
seeds: {seeds}
faults:
  - none
  - {{device: pump, fault: stall, at_h: {{uniform: [1.5, 2.5]}}}}
  - {{device: pump, fault: occlusion, at_h: {{uniform: [1.5, 2.0]}}}}
  - {{device: balance, fault: unstable, at_h: 2.0, params: {{duration_s: 600}}}}
"""


def run_campaign(campaign: Path, folder: Path, workers: int) -> tuple[float, dict]:
    from hil.campaign.orchestrate import CampaignExecution, start_campaign

    started = time.perf_counter()
    outcome = start_campaign(campaign, folder, CampaignExecution(workers=workers))
    return time.perf_counter() - started, outcome.summary


def patient_cost_s(folder: Path, count: int) -> tuple[float, float]:
    """(seconds to judge `count` patients on one run's record, that run's own wall time on its worker)."""
    from hil.campaign.population import population_for_run
    from hil.campaign.specs import PlannedRun
    from hil.config.loading import load_model
    from hil.config.scenario import ScenarioConfig
    from hil.records.reader import read_record
    from hil.runner.firmware_setup import firmware_config

    lines = [json.loads(line) for line in (folder / "campaign.jsonl").read_text().splitlines()]
    finished = next(line for line in lines if line["kind"] == "finished" and line["folder"])
    planned = next(PlannedRun(line["index"], line["run_id"], line["spec"]) for line in lines
                   if line["kind"] == "planned" and line["run_id"] == finished["run_id"])
    run = folder / finished["folder"]
    scenario = load_model(run / "inputs" / "scenario.yaml", ScenarioConfig)
    record = read_record(run / "record.jsonl")
    spec = {**planned.spec, "patients": {"count": count, "seed": 1}}
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        population_for_run(record, spec, firmware_config(scenario).dead_volume_ul, scenario)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), finished.get("wall_s") or float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6, help="repetitions (4 fault plans each; 6 -> 24 runs)")
    parser.add_argument("--patients", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="itpump-campaign-scaling-") as tmp:
        campaign = Path(tmp) / "scaling.yaml"
        campaign.write_text(CAMPAIGN.format(scenario=SCENARIO, seeds=args.seeds))
        results = {}
        for workers in (1, 2):
            elapsed_s, summary = run_campaign(campaign, Path(tmp) / f"w{workers}", workers)
            results[workers] = elapsed_s
            print(f"{workers} worker(s): {summary['runs_done']} runs in {elapsed_s:.1f} s = "
                  f"{60.0 * summary['runs_done'] / elapsed_s:.1f} runs/min (cluster start-up included); "
                  f"outcomes {summary['outcomes']}")
        print(f"speed-up 2 vs 1 worker: {results[1] / results[2]:.2f}x (target >= 1.7x on 2 free cores; "
              f"{os.cpu_count()} cores here, load average {os.getloadavg()[0]:.1f})")
        cost_s, run_s = patient_cost_s(Path(tmp) / "w1", args.patients)
        print(f"{args.patients} virtual patients on one run's delivered profile: {cost_s:.2f} s "
              f"(median of 3), {100.0 * cost_s / run_s:.0f} % of that run's own {run_s:.1f} s on its worker")


if __name__ == "__main__":
    main()
