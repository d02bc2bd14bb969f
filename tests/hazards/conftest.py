"""Hazard tests use the shipped bench_configs (named explicitly, so an ITPUMP_BENCH_CONFIGS override in the
environment cannot change what is tested)."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH_CONFIGS = REPO / "bench_configs"


@pytest.fixture(autouse=True)
def bundled_configs(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(BENCH_CONFIGS))
    return BENCH_CONFIGS
