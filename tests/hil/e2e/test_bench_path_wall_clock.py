"""The wall-clock bench path as a bench engineer meets it, in real seconds (about 50 s; marked wall_clock).

`itpump emulate ne1000 --rig RIG` serves an NE-1000 and an MT-SICS balance on ptys, in wall time, matching RIG: a
copy of the bundled bench-ne1000-usb rig whose ports come from ITPUMP_PUMP_PORT / ITPUMP_BALANCE_PORT. Then
`itpump run ... --json --time-compression F` runs a short scenario at F = 1, 2 and 20 against that one emulator
process, as separate processes, like consecutive bench runs on one pump:
- every run passes, with commanded, pump-reported and weighed volumes agreeing within the supervision tolerance
  (weighed and reported volumes are the scenario's own at every F: the pump runs F times faster for 1/F of the time);
- the safe-mode watchdog fires after the first run's host stops talking; the second run acknowledges the alarm left
  pending at open and keeps it as a finding in its record and reason, instead of failing at open.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drivers.ne1000 import DEFAULT_SAFE_MODE_TIMEOUT_S
from firmware_sim.pump.config import FirmwareConfig
from hil.records import events as ev
from hil.records.reader import read_record

pytestmark = [pytest.mark.wall_clock, pytest.mark.timeout(300)]

ITPUMP = [sys.executable, "-m", "hil.cli.main"]
SCENARIO = Path(__file__).parent / "scenarios" / "bench-wall-clock-short.yaml"
PRIMING_UL = 0.5 * 2.6 + 0.2
"""The scenario's catheter and pump tubing: the volume priming delivers at least."""
TOLERANCE_FRACTION = FirmwareConfig().delivery_tolerance_fraction
"""Supervision's band around the commanded volume (the firmware alarms outside it)."""
TOLERANCE_UL = 0.2
"""Absolute slack: two readability steps of the emulated balance (0.1 mg), and the pump's last reading."""
SYRINGE_DIAMETER_MM = 8.66
"""Neither the emulator's default syringe nor the bundled rig's: the emulator has it only from --rig."""
WATCHDOG_FINDING = "pump: NE-1000 had a safe-mode watchdog alarm (A?T) pending from before this open"


def _bench_rig(configs: Path, folder: Path) -> Path:
    """A user's copy of the bundled bench rig: its own id, a 3 mL syringe (at most 14 mm the NE-1000 counts in uL,
    to 0.001 uL; above, in mL, to 1 uL), and the balance sampled every second."""
    text = (configs / "rigs" / "bench-ne1000-usb.yaml").read_text(encoding="utf-8")
    for old, new in (("rig_id: bench-ne1000-usb", "rig_id: bench-wall-clock-test"),
                     ("diameter_mm: 14.43", f"diameter_mm: {SYRINGE_DIAMETER_MM}"),
                     ("volume_ul: 10000", "volume_ul: 3000"),
                     ("sample_interval_s: 30", "sample_interval_s: 1")):
        assert old in text, f"the bundled bench rig no longer has {old!r}"
        text = text.replace(old, new)
    rig = folder / "bench-rig.yaml"
    rig.write_text(text, encoding="utf-8")
    return rig


@pytest.fixture()
def emulated_bench(bundled_configs: Path, tmp_path: Path):
    """(rig file, {device: pty path}, emulator process): `itpump emulate ne1000 --rig` serving until the test ends."""
    yield from _emulated(_bench_rig(bundled_configs, tmp_path))


def _emulated(rig: Path, *emulate_args: str):
    process = subprocess.Popen([*ITPUMP, "emulate", "ne1000", "--rig", str(rig), *emulate_args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ports = dict(process.stdout.readline().strip().split(": ", 1) for _ in range(2))  # type: ignore[union-attr]
        syringe = process.stdout.readline().strip()  # type: ignore[union-attr]
        assert set(ports) == {"ne1000", "balance"} and syringe.startswith(
            f"ne1000 emulates a syringe of {SYRINGE_DIAMETER_MM} mm inner diameter and 3000 uL")
        yield rig, ports, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run(rig: Path, ports: dict[str, str], factor: float, out: Path, outcome: tuple[int, str] = (0, "PASS")) -> dict:
    env = {**os.environ, "ITPUMP_PUMP_PORT": ports["ne1000"], "ITPUMP_BALANCE_PORT": ports["balance"]}
    done = subprocess.run([*ITPUMP, "run", str(SCENARIO), "--rig", str(rig), "--json", "--time-compression",
                           f"{factor:g}", "--out", str(out)], env=env, capture_output=True, text=True, timeout=150)
    assert done.stdout.strip(), f"x{factor:g}: no JSON on stdout; stderr: {done.stderr[-2000:]}"
    result = json.loads(done.stdout)
    assert (done.returncode, result["outcome"]) == outcome, f"x{factor:g}: {result['reason']}"
    assert result["time_compression_factor"] == factor
    return result


def _open_findings(result: dict) -> list[str]:
    (opened,) = read_record(Path(result["report_dir"]) / "record.jsonl").typed(ev.RigOpened)
    return list(opened.findings)


def _assert_volumes_agree(result: dict, factor: float) -> None:
    delivered = result["delivered"]
    commanded, reported, weighed = (delivered[k] for k in ("commanded_ul", "pump_reported_ul", "gravimetric_ul"))
    band_ul = TOLERANCE_FRACTION * commanded + TOLERANCE_UL
    assert commanded >= PRIMING_UL, f"x{factor:g}: commanded {commanded} uL"
    assert abs(reported - commanded) <= band_ul, f"x{factor:g}: pump reported {reported} uL, commanded {commanded} uL"
    assert abs(weighed - commanded) <= band_ul, f"x{factor:g}: weighed {weighed} uL, commanded {commanded} uL"


@pytest.mark.requirements("SR-HIL-002", "SR-DRV-003", "SR-DRV-005")
def test_bench_path_in_wall_clock_at_compression_1_2_and_20_on_one_emulated_pump(emulated_bench, tmp_path: Path):
    rig, ports, emulator = emulated_bench
    first = _run(rig, ports, 1.0, tmp_path / "x1")
    assert _open_findings(first) == [] and "at rig open" not in first["reason"]
    _assert_volumes_agree(first, 1.0)

    time.sleep(DEFAULT_SAFE_MODE_TIMEOUT_S + 1.0)  # the host stopped talking: the pump's watchdog fires
    second = _run(rig, ports, 2.0, tmp_path / "x2")
    findings = _open_findings(second)
    assert len(findings) == 1 and findings[0].startswith(WATCHDOG_FINDING)
    assert f"at rig open: {WATCHDOG_FINDING}" in second["reason"]
    assert second["alarms"] == []  # acknowledged at open: not an alarm of this run
    _assert_volumes_agree(second, 2.0)

    twentieth = _run(rig, ports, 20.0, tmp_path / "x20")
    _assert_volumes_agree(twentieth, 20.0)
    assert emulator.poll() is None, "the emulator stopped serving"


@pytest.mark.requirements("SR-HIL-002")
def test_a_balance_too_slow_for_the_compression_makes_the_run_fall_behind_and_that_is_an_error(
        bundled_configs: Path, tmp_path: Path):
    """Every balance reply 1.5 s late at x5 (7.5 s of scenario time per reading, read at every tick of 2 s): the
    priming starts late, the continuous start due at 12.6 s runs far later, the pump priming on meanwhile. Not a PASS,
    whatever it measured."""
    rig = _bench_rig(bundled_configs, tmp_path)
    emulator = _emulated(rig, "--fault", "balance/delay_bytes:delay_s=1.5,count=1000000")
    _rig, ports, _process = next(emulator)
    try:
        result = _run(rig, ports, 5.0, tmp_path / "slow", outcome=(3, "ERROR"))
    finally:
        emulator.close()
    # the balance's baseline, read before the first step, already takes 7.5 s of scenario time
    assert result["reason"].startswith("the run fell behind its scenario: step 0 prime (at 0 h) ran ")
    assert "(the latest: " in result["reason"] and "more than the 5 s allowed" in result["reason"]


@pytest.mark.requirements("SR-HIL-002")
def test_at_real_byte_timing_and_20x_the_priming_the_firmware_ends_has_filled_the_line(bundled_configs: Path,
                                                                                       tmp_path: Path):
    """The emulator's bytes take their time at the rig's baud rate: the rate and RUN exchanges before the pump moves
    take about 1 s of scenario time at 20x. The firmware counts the priming flow from the moment its command came
    back, so when it ends the priming the pump has pushed the line's volume (it used to stop with 1.24 of 1.5 uL
    pushed: the drug short of the tip, and the firmware sure it was there)."""
    rig = _bench_rig(bundled_configs, tmp_path)
    emulator = _emulated(rig, "--byte-timing")
    _rig, ports, _process = next(emulator)
    try:
        result = _run(rig, ports, 20.0, tmp_path / "x20")
    finally:
        emulator.close()
    record = read_record(Path(result["report_dir"]) / "record.jsonl")
    (primed_s,) = [e.t_s for e in record.typed(ev.FirmwareEvent)
                   if e.kind == "state" and e.fields["from_state"] == "priming"]
    after = [s for s in record.typed(ev.VolumeSample) if s.t_s > primed_s and s.pump_reported_ul is not None]
    assert after, "no pump reading after the priming ended"
    assert after[0].pump_reported_ul >= PRIMING_UL - 0.001, after[0]  # the NE-1000 counts to 0.001 uL here
    _assert_volumes_agree(result, 20.0)
