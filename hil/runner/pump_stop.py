"""The runner's own word with the pump, past the firmware: stop it at the end of a run or on Ctrl-C, and read
its volume when the firmware's last status read is not of this moment. The reads go through the firmware's
actuator when the run has one, so the volume is the one the firmware's reads count (carried across the pump's
resets and counter clears, checked as theirs) and a device alarm they see is left for the firmware."""
from __future__ import annotations

import logging
from typing import Any

from firmware_sim.ports import ActuatorError
from hil.adapters import PumpActuator
from hil.rig import Rig

log = logging.getLogger(__name__)


def stop_pump(rig: Rig, actuator: PumpActuator | None = None) -> dict[str, Any]:
    """Stop the pump through its driver and say what its status reads after it (fields for run_finished); the status
    is read through the actuator if given."""
    try:
        rig.pump.stop()
        status = actuator.read_status_unsupervised() if actuator is not None else rig.pump.status()
        running = status.running
        return {"pump_stop": f"pump stopped (status running={running})", "pump_running_after_stop": running}
    except Exception as exc:  # noqa: BLE001 - the stop failure itself is what must be recorded
        return {"pump_stop": f"pump stop FAILED: {type(exc).__name__}: {exc}", "pump_running_after_stop": None}


def pump_volume_ul(actuator: PumpActuator) -> float | None:
    """What the pump reports delivered since the rig opened, as the firmware's status reads count it (the scenario's
    volume also under time compression: the pump ran k times faster for 1/k of the time); None if the pump does not
    answer (logged at debug level: the firmware's own read failed too and raised its alarm, and a disconnected pump
    would log every tick) or its volume fails the actuator's checks (a warning with the reason)."""
    try:
        read = actuator.read_status_unsupervised()
    except ActuatorError as exc:
        log.debug("pump volume not read: %s", exc)
        return None
    if read.volume_problem is not None:
        log.warning("pump volume not recorded: %s", read.volume_problem)
    return read.delivered_ul
