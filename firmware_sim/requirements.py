"""The one registry of safety requirement IDs (SR-...).

Every safety check and every safety test names the IDs it covers; the harness prints the
traceability matrix from this table. Keep one entry per line, grouped by area.
"""
from __future__ import annotations

REQUIREMENTS: dict[str, str] = {
    # --- PK envelopes (firmware_sim/pk) ---
    "SR-PK-001": "Peak plasma of an intrathecal regimen is at least 100x (configurable) below the steady-state peak of the oral reference regimen (20 mg every 8 h).",
    "SR-PK-002": "Peak plasma stays at or below the ceiling: 5 ng/mL adults, 10 ng/mL under 18 years (configurable).",
    "SR-PK-003": "Peak lumbar CSF concentration stays at or below the configured ceiling (default 3000 ng/mL).",
    "SR-PK-004": "Peak cisternal CSF concentration stays at or below the configured ceiling (default 750 ng/mL).",
    "SR-PK-005": "PK envelopes use true peaks, including peaks that fall between output samples.",
    # --- dose limits, boluses, PTM, titration (firmware_sim/safety) ---
    # --- pump states, reservoir, priming, alarms, supervision (firmware_sim/pump) ---
    # --- drivers and rig limits (drivers/, hil/) ---
    "SR-DRV-001": "A pump driver refuses a rate above the rig maximum (LimitExceeded) and sends nothing.",
    "SR-DRV-002": "Every device read has a timeout; a silent or unplugged device raises a typed error, never hangs.",
    "SR-DRV-003": "In NE-1000 safe mode the pump's communications watchdog is armed and a heartbeat feeds it, so the pump stops by itself if the host dies.",
    "SR-DRV-004": "A corrupted reply (CRC, length, terminator, garbage) is rejected with FramingError and never interpreted.",
    "SR-DRV-005": "Device alarms (reply, auto-alarm packet, heartbeat, ALARM:N, overload) are reported to the caller, never swallowed.",
    "SR-DRV-006": "A value the device's number format cannot carry within tolerance is refused, never silently rounded or clipped.",
    "SR-DRV-007": "stop() leaves the pump stopped (NE-1000: STP until prompt S; GRBL: hold, then reset discards queued motion).",
    "SR-DRV-008": "Rate changes while running are applied without stopping where the protocol allows it (NE-1000: same units, no EEPROM write).",
}


def describe(requirement_id: str) -> str:
    """Text of a requirement; raises KeyError naming the unknown ID."""
    try:
        return REQUIREMENTS[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement ID {requirement_id!r} (not in firmware_sim/requirements.py)") from None
