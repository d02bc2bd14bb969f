"""The one registry of safety requirement IDs (SR-...).

Every safety check and every safety test names the IDs it covers; the harness prints the
traceability matrix from this table. Keep one entry per line, grouped by area.
"""
from __future__ import annotations

REQUIREMENTS: dict[str, str] = {
    # --- PK envelopes (firmware_sim/pk) ---
    # --- dose limits, boluses, PTM, titration (firmware_sim/safety) ---
    # --- pump states, reservoir, priming, alarms, supervision (firmware_sim/pump) ---
    # --- drivers and rig limits (drivers/, hil/) ---
}


def describe(requirement_id: str) -> str:
    """Text of a requirement; raises KeyError naming the unknown ID."""
    try:
        return REQUIREMENTS[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement ID {requirement_id!r} (not in firmware_sim/requirements.py)") from None
