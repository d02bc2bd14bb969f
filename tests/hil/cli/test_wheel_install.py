"""A non-editable install (`pip install .`) runs the bundled scenarios and rigs from anywhere.

The source tree is copied (as an sdist would carry it), built and installed offline with
`pip install --no-index --no-deps --no-build-isolation --target SITE`, then used from a folder outside the
checkout with PYTHONPATH naming only SITE (the dependencies come from this venv).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "firmware_sim", "hil", "drivers", "bench_configs", "tools")
# Development tools live in the checkout (tools/: the PK reference solver, the biophase fit), never in the wheel.
DEV_TOOLS = ("tools", "firmware_sim/pk/reference_solver.py", "firmware_sim/pk/biophase_fit.py")
# A file type and a folder bench_configs does not have yet: the wheel must carry them too.
EXTRA_CONFIG = Path("wheel-check-extra") / "example.json"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, source / name)
    (source / "bench_configs" / EXTRA_CONFIG).parent.mkdir()
    (source / "bench_configs" / EXTRA_CONFIG).write_text("{}\n")
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--no-build-isolation", "--target", str(site), str(source)],
                   check=True, capture_output=True, text=True, cwd=source)
    return site


def run_installed(site: Path, cwd: Path, *args: str, script: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ITPUMP_BENCH_CONFIGS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    command = [str(site / "bin" / script)] if script else [sys.executable, "-m", "hil.cli.main"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_the_wheel_carries_every_bench_config_file(installed: Path):
    shipped = files_under(installed / "hil" / "bench_configs")
    assert files_under(REPO / "bench_configs") | {EXTRA_CONFIG.as_posix()} == shipped


def test_the_wheel_leaves_the_development_tools_out(installed: Path):
    assert (installed / "firmware_sim" / "pk" / "kernel.py").is_file()
    assert [name for name in DEV_TOOLS if (installed / name).exists()] == []


def test_installed_package_lists_runs_and_checks_its_bundled_configs(installed: Path, tmp_path: Path):
    where = subprocess.run([sys.executable, "-c", "import hil; print(hil.__file__)"], capture_output=True,
                           text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(installed)})
    assert Path(where.stdout.strip()).is_relative_to(installed)

    listed = run_installed(installed, tmp_path, "list", "scenarios", "--json")
    assert listed.returncode == 0, listed.stderr
    report = json.loads(listed.stdout)
    assert Path(report["bench_configs"]) == installed / "hil" / "bench_configs"
    scenarios = {s["name"]: Path(s["path"]) for s in report["scenarios"]}
    assert set(scenarios) == {p.stem for p in (REPO / "bench_configs" / "scenarios").rglob("*.yaml")}

    rigs = {r["rig_id"]: Path(r["path"]) for r in json.loads(
        run_installed(installed, tmp_path, "list", "rigs", "--json").stdout)["rigs"]}
    checked = run_installed(installed, tmp_path, "check", str(scenarios["ptm-use"]), str(rigs["emulated-grbl"]),
                            script="itpump")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASS ") == 2

    version = run_installed(installed, tmp_path, "--version", script="itpump")
    assert version.stdout.startswith("itpump ") and "not installed" not in version.stdout

    ran = run_installed(installed, tmp_path, "run", "hazard-occlusion", "--rig", "emulated-ne1000",
                        "--out", str(tmp_path / "run"), "--json", script="itpump")
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert json.loads(ran.stdout)["outcome"] == "PASS"
    assert (tmp_path / "run" / "report.html").is_file()
