"""`itpump fuzz` through the command line: a few thousand frames per device, text and JSON, exit codes, and no
test dependency at run time."""
from __future__ import annotations

import subprocess
import sys

import pytest

from cli_json import load_validators, one_json_object, run_cli, validate

from hil.cli.main import main

FRAMES = 2000


@pytest.mark.requirements("SR-DRV-002", "SR-DRV-007", "SR-DRV-009")
def test_fuzz_all_devices_exits_0_and_reports_frames_per_second():
    code, stdout, _ = run_cli("fuzz", "--frames", str(FRAMES), "--seed", "20261204", "--json")
    report = one_json_object(stdout)
    validate(load_validators(), "fuzz-result", report)
    assert code == 0 and report["outcome"] == "PASS" and report["seed"] == 20261204
    assert [device["device"] for device in report["devices"]] == ["ne1000", "grbl", "harvard", "balance", "sartorius"]
    for device in report["devices"]:
        assert device["outcome"] == "PASS" and device["failures"] == []
        assert device["frames"] >= FRAMES and device["frames_per_s"] > 0
        assert set(device["cases_by_kind"]) == {"core", "parsers", "driver"}


def test_json_failures_carry_every_frame_and_validate(fragile_ne1000):
    code, stdout, _ = run_cli("fuzz", "--device", "ne1000", "--frames", "500", "--seed", "5", "--json")
    report = one_json_object(stdout)
    validate(load_validators(), "fuzz-result", report)
    failures = report["devices"][0]["failures"]
    assert code == 1 and report["outcome"] == "FAIL" and failures
    assert all(b"\xff" in b"".join(bytes.fromhex(frame) for frame in f["frames_hex"]) for f in failures)


def test_text_output_names_each_failure_with_its_reproducer_and_exits_1(capsys, fragile_ne1000):
    assert main(["fuzz", "--device", "ne1000", "--frames", "1000", "--seed", "5", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "ne1000" in captured.out and "frames/s" in captured.out and "FAIL: " in captured.err
    failure = captured.out.split("\nFAIL ne1000 core case at frame ", 1)[1]
    index = int(failure.split(" ", 1)[0])
    assert "(seed 5): IndexError: no such byte" in failure.splitlines()[0]
    assert f"  frame {index}: b'" in failure and "\\xff" in failure
    assert f"replay: itpump fuzz --device ne1000 --seed 5 --from-frame {index} --frames 1" in failure
    assert main(["fuzz", "--device", "ne1000", "--frames", "1", "--seed", "5", "--from-frame", str(index)]) == 1


def test_bad_arguments_exit_2_naming_the_argument():
    for argv, named in ((["--frames", "0"], "--frames"), (["--seed", "-1"], "--seed"),
                        (["--device", "chemyx"], "--device"), (["--frames", "many"], "--frames")):
        code, _, stderr = run_cli("fuzz", *argv)
        assert code == 2 and f"argument {named}" in stderr, (argv, stderr)
        code, stdout, _ = run_cli("fuzz", *argv, "--json")
        error = one_json_object(stdout)
        assert code == 2 and error["error"] == "bad_input" and named in error["message"]


def test_fuzz_runs_without_hypothesis_installed():
    """hypothesis is a test extra: the command must not need it."""
    code = ("import sys; sys.modules['hypothesis'] = None; from hil.cli.main import main; "
            "sys.exit(main(['fuzz', '--frames', '200', '--seed', '1']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sartorius" in done.stdout and "0 failure(s)" in done.stdout
