"""The opening of report.html: what was run, on what, by whom, with which software, and what PASS means.

Read from run_started (scenario plan, operator, device under test, versions) and rig_opened (ports and the
identities the devices reported); anything a record does not hold is shown as "not recorded"."""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from hil.records import events as ev

NOT_RECORDED = "not recorded"


def _text(value: object) -> str:
    return NOT_RECORDED if value in (None, "") else str(value)


def _device_text(device: Mapping[str, Any] | None) -> str:
    if not device:
        return NOT_RECORDED
    parts = [str(device["model"])] if device.get("model") else []
    if "firmware_version" in device:
        parts.append(f"firmware {_text(device['firmware_version'])}")
    if "serial_number" in device:
        parts.append(f"serial number {_text(device['serial_number'])}")
    if device.get("error"):
        parts.append(f"query failed: {device['error']}")
    if device.get("driver"):
        parts.append(f"driver {device['driver']}")
    return ", ".join(parts) or NOT_RECORDED


def _revision_text(started: dict[str, Any]) -> str:
    revision = started.get("git_revision")
    dirty = started.get("git_dirty")
    if dirty is None and isinstance(revision, str) and revision != "unknown":
        dirty = revision.endswith("-dirty")
    state = {True: "DIRTY: uncommitted changes in the checkout", False: "clean", None: "dirty state unknown"}[dirty]
    return f"{_text(revision)} ({state})"


def _versions_text(started: dict[str, Any]) -> str:
    versions = started.get("dependency_versions")
    if not isinstance(versions, dict):
        return NOT_RECORDED
    return ", ".join(f"{name} {version}" for name, version in versions.items())  # in the order recorded


def header_rows(started: dict[str, Any] | None, rig: ev.RigOpened | None) -> list[tuple[str, str]]:
    """(label, text) rows, in reading order: started is summary.json's provenance (the run_started line)."""
    started = started or {}
    ports = rig.ports if rig is not None else {}
    devices = rig.devices if rig is not None else {}
    compression = started.get("time_compression_factor")
    rows = [
        ("scenario", _text(started.get("scenario_name"))),
        ("description", _text(started.get("scenario_description"))),
        ("what PASS means", _text(started.get("pass_means"))),
        ("rig", f"{_text(started.get('rig_id'))} ({_text(started.get('clock'))} clock)"),
        ("pump", _device_text(devices.get("pump"))),
        ("balance", _device_text(devices.get("balance")) if "balance" in devices or not rig else "none on this rig"),
        ("ports", ", ".join(f"{name}: {port}" for name, port in sorted(ports.items())) or NOT_RECORDED),
        ("time compression", NOT_RECORDED if compression is None else f"x{compression:g}"
         + (" (scenario time runs faster than wall time)" if compression != 1 else " (none)")),
        ("date (UTC)", _text(started.get("started_utc"))),
        ("operator", _text(started.get("operator"))),
        ("device under test", _text(started.get("dut_id"))),
        ("git revision", _revision_text(started)),
        ("itpump version", _text(started.get("tool_version"))),
        ("Python and dependencies", _versions_text(started)),
        ("run id", _text(started.get("run_id"))),
    ]
    return rows


def header_html(started: dict[str, Any] | None, rig: ev.RigOpened | None) -> str:
    body = "".join(f"<tr><th>{html.escape(label)}</th><td>{html.escape(text)}</td></tr>"
                   for label, text in header_rows(started, rig))
    return f"<table class='header'>{body}</table>"
