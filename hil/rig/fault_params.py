"""A fault's parameters judged before a run, exactly as the emulator will judge them when the fault is injected: the
rig's emulators are built once (not started, no pty) on a virtual clock, and each fault is scheduled far in the
future on the named one, which checks its name and every parameter and applies nothing. A bad parameter is then a
config error at load (`itpump run`, `itpump campaign`, `itpump check --rig`) instead of a run that crashes when the
fault is due."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from firmware_sim.clock import VirtualClock
from hil.config.loading import load_yaml, nearest_line
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.config.scenario_steps import InjectFaultStep
from hil.devices.context import BuildContext
from hil.emulators.fault_catalog import fault_not_taken
from hil.emulators.faults import EmulatorError, Fault
from hil.rig.registry import EMULATOR_START_ORDER, EMULATORS

NEVER_DUE_S = 1e15
"""When a trial injection is scheduled: never reached, so nothing is applied."""


class TrialEmulators:
    """The rig's emulators, built at the first fault judged and kept for the next ones."""

    def __init__(self, rig: RigConfig) -> None:
        self.rig = rig
        self._built: dict[str, Any] | None = None

    def _emulators(self) -> dict[str, Any]:
        if self._built is None:
            context = BuildContext(config=self.rig, clock=VirtualClock())
            for name, emulator in sorted(self.rig.emulators.items(),
                                         key=lambda item: EMULATOR_START_ORDER[item[1].kind]):
                context.emulators[name] = EMULATORS[emulator.kind](name, context)
            self._built = context.emulators
        return self._built

    def problem(self, device: str, fault: str, params: Mapping[str, Any]) -> str | None:
        """Why the rig's emulator `device` would refuse this fault and parameters (the emulator's own message), None
        if it takes them. The device must be one of the rig's emulators."""
        try:
            self._emulators()[device].inject_fault(fault, at_s=NEVER_DUE_S, **dict(params))
        except EmulatorError as exc:
            return str(exc)
        return None


def fault_problem(device: str, fault: Fault, params: Mapping[str, Any], trials: TrialEmulators,
                  rig_name: str) -> tuple[str, str] | None:
    """(key, why) if the rig could not inject this fault (key: device, fault or params); None if it can. One wording
    for a scenario's inject_fault steps (run, check --rig) and a campaign's fault plans. rig_name: how the message
    names the rig."""
    rig = trials.rig
    emulator = rig.emulators.get(device)
    if emulator is None:
        declared = ", ".join(sorted(rig.emulators)) or "none"
        return "device", (f"rig {rig_name} has no emulator {device!r} (emulators: {declared}); faults are injected on "
                          f"emulated rigs only")
    problem = fault_not_taken(fault, emulator.kind, f" ({device!r} on rig {rig.rig_id})")
    if problem is not None:
        return "fault", problem
    problem = trials.problem(device, fault, params)
    return None if problem is None else ("params", f"{problem} ({device!r} on rig {rig.rig_id})")


def scenario_fault_problems(scenario: ScenarioConfig, rig: RigConfig, source: Path) -> list[str]:
    """Why the rig could not inject the scenario's faults, one line per step (`file:line: steps[i].key: why`, the
    form of every config error); empty if it can. source: the scenario's file, for the lines."""
    trials = TrialEmulators(rig)
    found = [(i, problem) for i, step in enumerate(scenario.steps) if isinstance(step, InjectFaultStep)
             if (problem := fault_problem(step.device, step.fault, step.params, trials, rig.rig_id)) is not None]
    if not found:
        return []
    loaded = load_yaml(source)
    return [f"{source}:{nearest_line(loaded, ('steps', i, key))}: steps[{i}].{key}: {why}"
            for i, (key, why) in found]
