"""A fault's parameters judged before a run, exactly as the emulator will judge them when the fault is injected: the
rig's emulators are built (not started, no pty) on a virtual clock and the fault is scheduled far in the future on
the named one, which checks its name and every parameter and applies nothing. A bad parameter is then a config
error at load (`itpump run`, `itpump check`, `itpump campaign`) instead of a run that crashes when the fault is due."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from firmware_sim.clock import VirtualClock
from hil.config.rig import RigConfig
from hil.devices.context import BuildContext
from hil.emulators.faults import EmulatorError
from hil.rig.registry import EMULATOR_START_ORDER, EMULATORS

NEVER_DUE_S = 1e15
"""When the trial injection is scheduled: never reached, so nothing is applied."""


def fault_params_problem(rig: RigConfig, device: str, fault: str, params: Mapping[str, Any]) -> str | None:
    """Why the rig's emulator `device` would refuse this fault and parameters (the emulator's own message), None if
    it takes them. The device must be one of the rig's emulators."""
    context = BuildContext(config=rig, clock=VirtualClock())
    for name, emulator in sorted(rig.emulators.items(), key=lambda item: EMULATOR_START_ORDER[item[1].kind]):
        context.emulators[name] = EMULATORS[emulator.kind](name, context)
    try:
        context.emulators[device].inject_fault(fault, at_s=NEVER_DUE_S, **dict(params))
    except EmulatorError as exc:
        return str(exc)
    return None
