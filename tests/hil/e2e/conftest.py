"""End-to-end runs use the shipped bench_configs (named explicitly, so an ITPUMP_BENCH_CONFIGS override in the
environment cannot change what is tested)."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def bundled_configs(monkeypatch: pytest.MonkeyPatch) -> Path:
    configs = REPO / "bench_configs"
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(configs))
    return configs
