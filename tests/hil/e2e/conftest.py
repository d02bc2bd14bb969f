"""End-to-end runs use the shipped bench_configs. Until the drug library (bench_configs/drugs/) lands, a copy
with a placeholder library file is used, so the runner takes the reference DrugLimits defaults."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def configs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shipped = REPO / "bench_configs"
    if (shipped / "drugs" / "baclofen.yaml").is_file():
        return shipped
    copy = tmp_path_factory.mktemp("configs") / "bench_configs"
    shutil.copytree(shipped, copy)
    (copy / "drugs").mkdir(exist_ok=True)
    (copy / "drugs" / "baclofen.yaml").write_text("name: baclofen\n", encoding="utf-8")
    return copy


@pytest.fixture(autouse=True)
def bundled_configs(configs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(configs_dir))
    return configs_dir
