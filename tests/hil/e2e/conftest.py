"""End-to-end runs use the shipped bench_configs (named explicitly, so an ITPUMP_BENCH_CONFIGS override in the
environment cannot change what is tested)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:  # serial_path_golden beside these tests (pytest runs with --import-mode=importlib)
    sys.path.insert(0, _HERE)


@pytest.fixture(autouse=True)
def bundled_configs(monkeypatch: pytest.MonkeyPatch) -> Path:
    configs = REPO / "bench_configs"
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(configs))
    return configs
