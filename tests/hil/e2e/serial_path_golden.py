"""What a shipped scenario's run must keep whatever the serial path does underneath: the verdict, the alarms, the
state timeline, step decisions, expectations and envelopes, the three volumes (commanded, pump-reported,
gravimetric) on the hour and after the final pump stop, and the gravimetric volume wherever both runs weighed.

The golden file (data/serial_path_golden.json) was written by the code before the serial path was made faster
(one exchange per NE-1000 status, the balance weighed where a measurement needs it); the differential test
(test_serial_path_differential.py) compares every run of today's code with it.

Rewrite it on purpose only (a change of behaviour that is meant), from the repository root:
    .venv/bin/python tests/hil/e2e/serial_path_golden.py --write
"""
from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from firmware_sim.clock import TIME_EPS_S

if TYPE_CHECKING:
    from hil.records.reader import RunRecord

REPO = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).with_name("data") / "serial_path_golden.json"
RIGS = ("emulated-ne1000", "emulated-grbl")
SCENARIOS = sorted(p.stem for p in (REPO / "bench_configs" / "scenarios").glob("*.yaml"))
HOUR_S = 3600.0

VOLUME_ABS_UL = 0.3
"""Commanded and pump-reported volumes come out of the same arithmetic: they agree far inside this. Gravimetric
volumes carry the emulated balance's noise (sd 0.02 mg) and readability (0.1 mg): a different number of readings
draws different noise, so they agree within a few readability steps."""
VOLUME_REL = 1e-5
VALUE_REL = 1e-2
"""Envelope values (PK peaks and ratios; their pass/fail outcome is compared exactly) come from the delivered
profile scaled by the balance every 15 min: at intrathecal rates a 15-min segment holds a few uL, so one readability
step (0.1 uL) from a different noise draw moves a CSF peak by up to ~0.3 % (measured: lumbar peak 977.16 -> 974.38
ng/mL in ptm-use)."""
VALUE_ABS = {"withdrawal": 0.25}
"""The withdrawal envelope's value is hours spent below the threshold: where the delivered level only grazes the
threshold (hazard-occlusion), a 0.1 uL readability step in one 15-min scaling segment moves the crossing by minutes
(measured 0.067 -> 0.023 h), so it is compared to within one 15-min segment; its outcome is compared exactly."""
TIME_ABS_S = 1e-6


def _on_the_hour(t_s: float) -> bool:
    return abs(t_s / HOUR_S - round(t_s / HOUR_S)) < 1e-9


def _rounded(value: float) -> float:
    return round(value, 3)  # far below VOLUME_ABS_UL: keeps the golden file small


def summarize(record: RunRecord) -> dict[str, Any]:
    """The facts of one run record that the serial path must not change."""
    from hil.records import events as ev

    firmware = record.typed(ev.FirmwareEvent)
    samples = record.typed(ev.VolumeSample)
    kept = [s for s in samples if _on_the_hour(s.t_s) or s.after_pump_stop]
    finished = record.finished
    assert finished is not None, f"{record.path} has no run_finished"
    return {
        "outcome": finished.outcome,
        "reason": finished.reason,
        "alarms": [[a.t_s, a.name, a.priority] for a in record.typed(ev.Alarm)],
        "states": [[e.t_s, e.fields["to_state"]] for e in firmware if e.kind == "state"],
        "steps": [[s.t_s, s.index, s.action, s.decision] for s in record.typed(ev.Step)],
        "expectations": [[e.name, e.passed] for e in record.typed(ev.Expectation)],
        "envelopes": [[e.name, e.outcome, e.value] for e in record.typed(ev.Envelope)],
        "status_count": sum(1 for e in firmware if e.kind == "status"),
        "status_delivered_ul": [[e.t_s, e.fields["delivered_ul"]] for e in firmware
                                if e.kind == "status" and _on_the_hour(e.t_s)],
        "volume_sample_count": len(samples),
        "volumes": [[s.t_s, s.commanded_ul, s.pump_reported_ul, s.gravimetric_ul, bool(s.after_pump_stop)]
                    for s in kept],
        "gravimetric_ul": [[s.t_s, _rounded(s.gravimetric_ul)] for s in samples if s.gravimetric_ul is not None],
        "balance_samples": [[b.t_s, b.mass_g] for b in record.typed(ev.BalanceSample)],
    }


def _close(expected: float | None, actual: float | None, abs_tol: float, rel_tol: float) -> bool:
    if expected is None or actual is None:
        return expected is actual
    return math.isclose(expected, actual, rel_tol=rel_tol, abs_tol=abs_tol)


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What differs, one line each (empty: the run kept what it must). Verdicts, alarms, states, steps and
    expectations exactly, their times within TIME_EPS_S (the firmware's own "same time": its commanded volume is
    computed from the rate segment's start, not summed tick by tick as when the golden file was written, so an
    event found from a volume may land a float rounding away); volumes within VOLUME_ABS_UL / VOLUME_REL; envelope
    values within VALUE_REL.

    Gravimetric volumes are compared where both runs weighed at that moment; the after-stop sample must be weighed
    in both. Volume samples and balance-window samples must fall at the same times."""
    found: list[str] = []
    for key in ("outcome", "reason", "expectations", "status_count", "volume_sample_count"):
        if expected[key] != actual[key]:
            found.append(f"{key}: expected {expected[key]!r}, got {actual[key]!r}")
    for key in ("alarms", "states", "steps"):  # [t_s, ...] entries
        if not _same_timeline(expected[key], actual[key]):
            found.append(f"{key}: expected {expected[key]!r}, got {actual[key]!r}")
    if [e[:2] for e in expected["envelopes"]] != [e[:2] for e in actual["envelopes"]]:
        found.append(f"envelopes: expected {expected['envelopes']!r}, got {actual['envelopes']!r}")
    else:
        for (name, _, want), (_, _, got) in zip(expected["envelopes"], actual["envelopes"]):
            if not _close(want, got, VALUE_ABS.get(name, 0.0), VALUE_REL):
                found.append(f"envelope {name} value: expected {want!r}, got {got!r}")
    found += _series("status delivered_ul", expected["status_delivered_ul"], actual["status_delivered_ul"])
    want_v, got_v = expected["volumes"], actual["volumes"]
    if [(v[0], v[4]) for v in want_v] != [(v[0], v[4]) for v in got_v]:
        found.append("volume samples on the hour / after the pump stop fall at different times")
    else:
        for want, got in zip(want_v, got_v):
            for index, name in ((1, "commanded_ul"), (2, "pump_reported_ul")):
                if not _close(want[index], got[index], VOLUME_ABS_UL, VOLUME_REL):
                    found.append(f"t={want[0]:g} s {name}: expected {want[index]!r}, got {got[index]!r}")
            weighed = want[3] is not None and got[3] is not None
            if (weighed or want[4]) and not _close(want[3], got[3], VOLUME_ABS_UL, VOLUME_REL):
                found.append(f"t={want[0]:g} s gravimetric_ul: expected {want[3]!r}, got {got[3]!r}")
    found += _weighed_where_both(expected["gravimetric_ul"], actual["gravimetric_ul"])
    found += _series("balance_sample mass_g", expected["balance_samples"], actual["balance_samples"],
                     abs_tol=VOLUME_ABS_UL / 1000.0)
    return found


def _same_timeline(expected: list[list[Any]], actual: list[list[Any]]) -> bool:
    """The same entries in the same order: each [t_s, ...] with equal fields and t_s within TIME_EPS_S."""
    return len(expected) == len(actual) and all(
        want[1:] == got[1:] and abs(want[0] - got[0]) <= TIME_EPS_S for want, got in zip(expected, actual))


def _weighed_where_both(expected: list[list[float]], actual: list[list[float]]) -> list[str]:
    """Gravimetric volumes of every sample both runs weighed (the golden run weighed every supervision tick)."""
    want = {round(t, 6): v for t, v in expected}
    return [f"gravimetric_ul at t={t:g} s: expected {want[round(t, 6)]!r}, got {got!r}" for t, got in actual
            if round(t, 6) in want and not _close(want[round(t, 6)], got, VOLUME_ABS_UL, VOLUME_REL)]


def _series(
    name: str, expected: list[list[float]], actual: list[list[float]], abs_tol: float = VOLUME_ABS_UL
) -> list[str]:
    if [round(t, 6) for t, _ in expected] != [round(t, 6) for t, _ in actual]:
        return [f"{name}: samples at different times ({len(expected)} expected, {len(actual)} got)"]
    return [f"{name} at t={t:g} s: expected {want!r}, got {got!r}"
            for (t, want), (_, got) in zip(expected, actual) if not _close(want, got, abs_tol, VOLUME_REL)]


def run_summary(scenario: str, rig: str, out_dir: Path) -> dict[str, Any]:
    from hil.records.reader import read_record
    from hil.runner import RunOptions, run_scenario

    configs = REPO / "bench_configs"
    run_scenario(configs / "scenarios" / f"{scenario}.yaml", configs / "rigs" / f"{rig}.yaml",
                 RunOptions(out_dir=out_dir))
    return summarize(read_record(out_dir / "record.jsonl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {GOLDEN.relative_to(REPO)}")
    parser.add_argument("--out", type=Path, help="write the summaries here instead (to compare two runs)")
    args = parser.parse_args()
    import os
    os.environ["ITPUMP_BENCH_CONFIGS"] = str(REPO / "bench_configs")
    golden: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rig in RIGS:
            for scenario in SCENARIOS:
                golden[f"{scenario}@{rig}"] = run_summary(scenario, rig, Path(tmp) / f"{scenario}-{rig}")
                print(f"{scenario}@{rig}: {golden[f'{scenario}@{rig}']['outcome']}", flush=True)
    target = GOLDEN if args.write else args.out
    if target is None:
        parser.error("give --write or --out FILE")
    target.write_text(json.dumps(golden, indent=None, separators=(",", ":")).replace('},"', '},\n"') + "\n")


if __name__ == "__main__":
    main()
