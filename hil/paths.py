"""Where bundled configuration lives.

In order: the folder named by ITPUMP_BENCH_CONFIGS (with rigs/, scenarios/, drugs/, visa/); the copy shipped
inside the installed package (`hil/bench_configs`, mapped there by setup.py for wheel installs); the
bench_configs/ folder of the checkout (editable installs and running from the source tree).
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

BENCH_CONFIGS_ENV = "ITPUMP_BENCH_CONFIGS"
CHECKOUT_BENCH_CONFIGS = Path(__file__).resolve().parents[1] / "bench_configs"


def packaged_bench_configs() -> Path | None:
    """hil/bench_configs of an installed wheel, or None (editable installs and checkouts have none)."""
    shipped = resources.files("hil") / "bench_configs"
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    return None


def bench_configs_dir() -> Path:
    """ITPUMP_BENCH_CONFIGS if set, else the bench_configs shipped in the package, else the checkout's."""
    override = os.environ.get(BENCH_CONFIGS_ENV)
    if override:
        return Path(override)
    return packaged_bench_configs() or CHECKOUT_BENCH_CONFIGS


DEFAULT_RIG = "emulated-ne1000"


def bundled(folder: str, name_or_path: str | Path) -> Path:
    """A path as given (an existing file, or anything that looks like a path), else the bundled
    bench_configs/<folder>/<name>.yaml. A name with a subfolder (`hazards/<name>`) is looked up there too, and a
    plain name not in the folder itself is found in exactly one of its subfolders (bench_configs/scenarios/hazards)."""
    text = str(name_or_path)
    path = Path(name_or_path)
    if isinstance(name_or_path, Path) or path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    configs = bench_configs_dir() / folder
    if "/" in text:
        nested = configs / f"{text}.yaml"
        return nested if nested.is_file() else path
    top = configs / f"{text}.yaml"
    if not top.exists():
        found = sorted(configs.glob(f"*/{text}.yaml"))
        if len(found) == 1:
            return found[0]
    return top


def not_found_message(what: str, path: Path) -> str:
    """The error for a config bundled() found nowhere: what and where it was looked for."""
    return f"{what} not found: {path} (give a file or a name in {path.parent})"
