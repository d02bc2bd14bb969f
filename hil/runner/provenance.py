"""Provenance of a run: config hashes, git revision, tool and dependency versions, run id, and the identities
the rig's devices report when it opens (pump firmware, balance serial number) with the ports they were found on."""
from __future__ import annotations

import hashlib
import platform
import subprocess
from datetime import datetime, UTC
from importlib import metadata
from pathlib import Path
from typing import Any

DEPENDENCIES = ("numpy", "scipy", "pyserial", "pyvisa", "transitions", "pydantic")
"""Distributions whose versions every run records (the ones that compute or carry the numbers)."""
DIRTY_SUFFIX = "-dirty"


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


def git_dirty(revision: str) -> bool | None:
    """Whether the checkout had uncommitted changes (None: not known, e.g. not a git checkout)."""
    if revision == "unknown":
        return None
    return revision.endswith(DIRTY_SUFFIX)


def tool_version() -> str:
    try:
        return metadata.version("itpump")
    except metadata.PackageNotFoundError:
        return "unknown"


def dependency_versions(names: tuple[str, ...] = DEPENDENCIES) -> dict[str, str]:
    """{distribution: version or 'not installed'} plus the Python version under 'python'."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def utc_now() -> datetime:
    return datetime.now(UTC)


def run_id(scenario_name: str, started: datetime) -> str:
    return f"{started.strftime('%Y%m%dT%H%M%SZ')}-{scenario_name}"


def rig_identity(pump: Any, balance: Any) -> dict[str, dict[str, Any]]:
    """The rig_opened record fields: {"ports": {device: port}, "devices": {device: what it reported}}.

    Read from the opened drivers: an NE-1000's VER reply (model, firmware), a GRBL banner version, an MT-SICS
    balance's serial number (I4, asked here). A query that fails is recorded as the error, never hidden."""
    ports: dict[str, Any] = {}
    devices: dict[str, Any] = {}
    if pump is not None:
        transport = getattr(pump, "transport", None)
        ports["pump"] = getattr(transport, "url", None)
        devices["pump"] = _pump_identity(pump)
    if balance is not None:
        ports["balance"] = getattr(balance, "resource_name", None)
        identity: dict[str, Any] = {"driver": type(balance).__name__}
        try:
            identity["serial_number"] = balance.serial_number()
        except Exception as exc:  # noqa: BLE001 - an identity the device will not give is recorded as such
            identity["serial_number"] = None
            identity["error"] = f"{type(exc).__name__}: {exc}"
        devices["balance"] = identity
    return {"ports": ports, "devices": devices}


def _pump_identity(pump: Any) -> dict[str, Any]:
    identity: dict[str, Any] = {"driver": type(pump).__name__}
    firmware = getattr(pump, "firmware", None)
    if firmware is not None:  # NE-1000 family: the VER reply
        identity["model"] = f"NE-{firmware.model}"
        identity["firmware_version"] = firmware.version + (f" ({firmware.upgrade})" if firmware.upgrade else "")
    version = getattr(pump, "grbl_version", None)
    if version is not None:
        identity["model"] = "GRBL"
        identity["firmware_version"] = version
    identity.setdefault("firmware_version", None)
    return identity
