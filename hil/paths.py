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


DEFAULT_RIG = "emulated-ne1000"


def bundled(folder: str, name_or_path: str | Path) -> Path:
    """A path as given (an existing file, or anything that looks like a path), else the bundled
    bench_configs/<folder>/<name>.yaml."""
    text = str(name_or_path)
    path = Path(name_or_path)
    if isinstance(name_or_path, Path) or path.exists() or path.suffix in (".yaml", ".yml") or "/" in text:
        return path
    return bench_configs_dir() / folder / f"{text}.yaml"
