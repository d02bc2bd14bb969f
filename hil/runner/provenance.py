"""Provenance of a run: config hashes, git revision, tool version, run id."""
from __future__ import annotations

import hashlib
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_revision(cwd: Path | None = None) -> str:
    """The checkout's commit (with -dirty if modified), or 'unknown' outside a git checkout."""
    where = cwd or Path(__file__).resolve().parents[2]
    try:
        result = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"], cwd=where,
                                capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


def tool_version() -> str:
    try:
        return metadata.version("itpump")
    except metadata.PackageNotFoundError:
        return "unknown"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def run_id(scenario_name: str, started: datetime) -> str:
    return f"{started.strftime('%Y%m%dT%H%M%SZ')}-{scenario_name}"
