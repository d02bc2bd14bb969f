"""Exit codes 0 PASS, 1 FAIL, 2 bad input, 3 ERROR on every command, the same with and without --json; under
--json every error (argument errors included) is one JSON error object on stdout."""
from __future__ import annotations

import subprocess
import sys

import pytest
from cli_json import load_validators, one_json_object, run_cli, validate

from firmware_sim.outcome import Outcome
from hil.cli.exit_codes import ExitCode
from hil.runner.interrupt import RunInterrupted

pytestmark = pytest.mark.timeout(120)
ITPUMP = [sys.executable, "-m", "hil.cli.main"]


@pytest.fixture(scope="module")
def validators():
    return load_validators()


def test_exit_code_of_each_outcome():
    assert [ExitCode.for_outcome(o) for o in Outcome] == [0, 1, 3, 1]  # PASS, FAIL, ERROR, NOT_EVALUATED
    assert (ExitCode.BAD_INPUT, ExitCode.ERROR) == (2, 3)


BAD_INPUT = [  # (command line, the command its error object names)
    (("run", "no-such-scenario"), "run"),
    (("run",), "run"),                                            # argparse: SCENARIO missing
    (("run", "ptm-use", "--time-compression", "fast"), "run"),    # argparse: not a number
    (("predict",), "predict"),                                    # nothing to predict
    (("predict", "--bolus-mcg", "fifty"), "predict"),
    (("predict", "--bolus-mcg", "50", "--population", "10"), "predict"),
    (("check", "/no/such/file.yaml"), "check"),
    (("check",), "check"),
    (("report", "/no/such/run-folder"), "report"),
    (("trumpet", "/no/such/balance.csv", "--rate-ul-per-h", "10"), "trumpet"),
    (("trumpet", "/no/such/balance.csv"), "trumpet"),             # argparse: --rate-ul-per-h required
    (("list", "everything"), "list"),
    (("run", "hazard-double-priming", "--out", "/proc/no-such-folder/run"), "run"),  # a traceback and exit 3
    (("campaign", "no-such-campaign"), "campaign"),
    (("campaign", "smoke", "--workers", "0"), "campaign"),
    (("list", "rigs", "-q", "-v"), "list"),
    (("-q", "-v", "list", "rigs"), None),                         # the top-level options, before any command
    (("no-such-command",), None),
    ((), None),
]


@pytest.mark.parametrize(
    "argv, command", BAD_INPUT, ids=lambda value: " ".join(value or ()) if isinstance(value, tuple) else ""
)
def test_bad_input_exits_2_with_one_error_object_under_json_and_a_message_without(argv, command, validators):
    code, stdout, stderr = run_cli(*argv, "--json")
    error = one_json_object(stdout)
    validate(validators, "error", error)
    assert (code, error["error"], error["exit_code"], error["command"]) == (2, "bad_input", 2, command), error
    assert stderr == "" and error["message"]

    code, stdout, stderr = run_cli(*argv)
    assert (code, stdout) == (2, "") and stderr.strip()


def test_a_command_that_crashes_is_error_3_never_fail_1(monkeypatch, validators):
    import hil.cli.predict_report as predict_report

    def crash(args):
        raise RuntimeError("the kernel fell over")

    monkeypatch.setattr(predict_report, "run", crash)
    code, stdout, _ = run_cli("predict", "--bolus-mcg", "50", "--json")
    error = one_json_object(stdout)
    validate(validators, "error", error)
    assert (code, error["error"], error["exit_code"]) == (3, "error", 3)
    assert error["message"] == "RuntimeError: the kernel fell over"
    code, stdout, stderr = run_cli("predict", "--bolus-mcg", "50")
    assert (code, stdout) == (3, "") and "the kernel fell over" in stderr


def test_ctrl_c_before_the_run_started_is_error_3(monkeypatch, validators):
    import hil.runner

    def interrupted(*args, **kwargs):
        raise RunInterrupted("interrupted by the operator (Ctrl-C) while loading the configs: nothing was run")

    monkeypatch.setattr(hil.runner, "run_scenario", interrupted)
    code, stdout, _ = run_cli("run", "ptm-use", "--json")
    error = one_json_object(stdout)
    validate(validators, "error", error)
    assert (code, error["error"]) == (3, "error") and "nothing was run" in error["message"]
    assert run_cli("run", "ptm-use")[0] == 3


def _closed_pipe(*argv: str) -> subprocess.CompletedProcess:
    """Run itpump with its stdout a pipe whose reader has gone (as `itpump ... | head -c0`)."""
    process = subprocess.Popen([*ITPUMP, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=100)
    return subprocess.CompletedProcess(process.args, process.returncode, "", stderr)


@pytest.mark.parametrize("argv", [
    ("predict", "--bolus-mcg", "50", "--hours", "200", "--step-min", "1", "--json"),
    ("run", "hazard-occlusion", "--json"),
], ids=["predict", "run"])
def test_a_reader_that_closes_the_pipe_ends_the_command_without_a_traceback(argv, tmp_path):
    if argv[0] == "run":
        argv = (*argv, "--out", str(tmp_path / "run"))
    done = _closed_pipe(*argv)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == ExitCode.ERROR  # the output did not reach its reader
