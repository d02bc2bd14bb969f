"""Global options of `itpump`: --version, -v/--verbose and -q/--quiet (logging levels), before or after the
subcommand; -vv shows the serial traffic of a run."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from hil.cli import logging_setup
from hil.cli.main import main
from hil.cli.version import UNKNOWN_VERSION, installed_version

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def restore_root_logging():
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)


def test_version_prints_the_installed_distribution_version():
    result = subprocess.run([sys.executable, "-m", "hil.cli.main", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == f"itpump {metadata.version('itpump')}\n"


def test_version_without_an_installed_distribution_says_so():
    assert installed_version("itpump-not-installed-anywhere") == UNKNOWN_VERSION
    assert "not installed" in UNKNOWN_VERSION


@pytest.mark.parametrize(("argv", "level"), [
    ([], logging.WARNING),
    (["-v"], logging.INFO),
    (["--verbose"], logging.INFO),
    (["-vv"], logging.DEBUG),
    (["-v", "-v", "-v"], logging.DEBUG),
    (["-q"], logging.ERROR),
    (["--quiet"], logging.ERROR),
])
def test_verbosity_sets_the_root_logging_level(argv, level, capsys):
    assert main([*argv, "list", "requirements", "--json"]) == 0
    assert logging.getLogger().level == level
    ours = [h for h in logging.getLogger().handlers if h.get_name() == logging_setup.HANDLER_NAME]
    assert len(ours) == 1


def test_options_after_the_subcommand_count_too(capsys):
    assert main(["-v", "list", "requirements", "--json", "-v"]) == 0
    assert logging.getLogger().level == logging.DEBUG
    assert main(["list", "requirements", "-q"]) == 0
    assert logging.getLogger().level == logging.ERROR


@pytest.mark.parametrize("argv", [["-v", "-q", "list", "rigs"], ["-q", "list", "rigs", "-v"]])
def test_verbose_and_quiet_together_are_an_argument_error(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "-q/--quiet" in capsys.readouterr().err


def test_log_records_go_to_stderr_at_the_chosen_level(capsys):
    main(["-v", "list", "requirements", "--json"])
    capsys.readouterr()
    logging.getLogger("itpump.test").info("shown at -v")
    logging.getLogger("itpump.test").debug("hidden at -v")
    out = capsys.readouterr()
    assert out.out == "" and out.err == "INFO itpump.test: shown at -v\n"


def test_debug_run_shows_the_serial_traffic_and_stdout_stays_json(tmp_path: Path):
    """`itpump -vv run ... --json`: DEBUG lines of drivers.transport on stderr, one JSON object on stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "hil.cli.main", "-vv", "run", "hazard-occlusion", "--out", str(tmp_path / "run"),
         "--json"], capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "ITPUMP_BENCH_CONFIGS": str(REPO / "bench_configs")})
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["outcome"] == "PASS"
    transport_lines = [line for line in result.stderr.splitlines() if line.startswith("DEBUG drivers.transport:")]
    assert any(" tx b'" in line for line in transport_lines) and any(" rx b'" in line for line in transport_lines)
