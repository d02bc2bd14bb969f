"""The runner's own word with the pump, past the firmware: stop it at the end of a run or on Ctrl-C, and read
its volume accumulator when the firmware's last status read is not of this moment."""
from __future__ import annotations

from typing import Any

from drivers.errors import DriverError
from hil.rig import Rig


def stop_pump(rig: Rig) -> dict[str, Any]:
    """Stop the pump through its driver and say what its status reads after it (fields for run_finished)."""
    try:
        rig.pump.stop()
        running = rig.pump.status().running
        return {"pump_stop": f"pump stopped (status running={running})", "pump_running_after_stop": running}
    except Exception as exc:  # noqa: BLE001 - the stop failure itself is what must be recorded
        return {"pump_stop": f"pump stop FAILED: {type(exc).__name__}: {exc}", "pump_running_after_stop": None}


def pump_volume_ul(rig: Rig) -> float | None:
    """What the pump reports infused since the rig opened (its accumulator is cleared then); the scenario's volume
    also under time compression (the pump ran k times faster for 1/k of the time); None if it does not answer."""
    try:
        return rig.pump.status().infused_ul
    except DriverError:
        return None
