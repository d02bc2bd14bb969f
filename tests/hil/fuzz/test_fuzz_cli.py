"""`itpump fuzz` through the command line: a few thousand frames per device, text and JSON, exit codes, and no
test dependency at run time."""
from __future__ import annotations

import json
import subprocess
import sys

from hil.cli.main import main
from hil.emulators.ne1000_core import NE1000Core

FRAMES = 2000


def test_fuzz_all_devices_exits_0_and_reports_frames_per_second(capsys):
    assert main(["fuzz", "--frames", str(FRAMES), "--seed", "20261204", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["seed"] == 20261204 and report["failures"] == 0 and report["exit_code"] == 0
    assert [device["device"] for device in report["devices"]] == ["ne1000", "grbl", "balance"]
    for device in report["devices"]:
        assert device["frames"] >= FRAMES and device["frames_per_s"] > 0 and device["failures"] == []
        assert set(device["cases_by_kind"]) == {"core", "parsers", "driver"}


def test_text_output_names_each_failure_with_its_reproducer_and_exits_1(capsys, monkeypatch):
    receive = NE1000Core.receive

    def fragile(self, data, t_s):
        if b"\xff" in data:
            raise IndexError("no such byte")
        return receive(self, data, t_s)

    monkeypatch.setattr(NE1000Core, "receive", fragile)
    assert main(["fuzz", "--device", "ne1000", "--frames", "1000", "--seed", "5", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "ne1000" in captured.out and "frames/s" in captured.out and "FAIL: " in captured.err
    failure = captured.out.split("\nFAIL ne1000 core case at frame ", 1)[1]
    index = int(failure.split(" ", 1)[0])
    assert "(seed 5): IndexError: no such byte" in failure.splitlines()[0]
    assert f"  frame {index}: b'" in failure and "\\xff" in failure
    assert f"replay: itpump fuzz --device ne1000 --seed 5 --from-frame {index} --frames 1" in failure
    assert main(["fuzz", "--device", "ne1000", "--frames", "1", "--seed", "5", "--from-frame", str(index)]) == 1


def test_bad_arguments_exit_2(capsys):
    for argv in (["--frames", "0"], ["--seed", "-1"], ["--device", "harvard"], ["--frames", "many"]):
        try:
            main(["fuzz", *argv])
        except SystemExit as exc:
            assert exc.code == 2, argv
        else:
            raise AssertionError(f"{argv} accepted")
    assert "--frames: invalid _positive_int value" not in capsys.readouterr().err


def test_fuzz_runs_without_hypothesis_installed():
    """hypothesis is a test extra: the command must not need it."""
    code = ("import sys; sys.modules['hypothesis'] = None; from hil.cli.main import main; "
            "sys.exit(main(['fuzz', '--frames', '200', '--seed', '1']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "balance" in done.stdout and "0 failure(s)" in done.stdout
