"""hil.paths: ITPUMP_BENCH_CONFIGS, else the copy shipped in the package, else the checkout's bench_configs/."""
from __future__ import annotations

from pathlib import Path

from hil import paths

REPO = Path(__file__).resolve().parents[2]


def test_the_environment_variable_wins(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(paths.BENCH_CONFIGS_ENV, str(tmp_path))
    assert paths.bench_configs_dir() == tmp_path
    assert paths.bundled("rigs", "my-rig") == tmp_path / "rigs" / "my-rig.yaml"


def test_a_checkout_without_a_packaged_copy_uses_its_bench_configs(monkeypatch):
    monkeypatch.delenv(paths.BENCH_CONFIGS_ENV, raising=False)
    assert not (REPO / "hil" / "bench_configs").exists()
    assert paths.bench_configs_dir() == REPO / "bench_configs"


def test_an_installed_package_uses_the_copy_inside_it(monkeypatch, tmp_path: Path):
    (tmp_path / "hil" / "bench_configs").mkdir(parents=True)
    monkeypatch.delenv(paths.BENCH_CONFIGS_ENV, raising=False)
    monkeypatch.setattr(paths.resources, "files", lambda package: tmp_path / package)
    assert paths.bench_configs_dir() == tmp_path / "hil" / "bench_configs"
    assert paths.bundled("scenarios", "ptm-use") == tmp_path / "hil" / "bench_configs" / "scenarios" / "ptm-use.yaml"
