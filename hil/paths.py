"""Where bundled configuration lives."""
from __future__ import annotations

import os
from pathlib import Path


def bench_configs_dir() -> Path:
    """ITPUMP_BENCH_CONFIGS if set, else the bench_configs/ folder of this checkout."""
    override = os.environ.get("ITPUMP_BENCH_CONFIGS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "bench_configs"
