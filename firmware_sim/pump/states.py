"""Therapy states and the transition table (data), built into a strict `transitions` machine.

The same table renders the diagram (hil/cli/firmware_diagram.py). Commands that change no state
(refill, PTM and periodic-bolus set-up) are internal transitions, so the table alone says where each
command is allowed.
"""
from __future__ import annotations

from enum import Enum
from typing import Any
from collections.abc import Callable

from transitions import Machine


class PumpState(str, Enum):
    IDLE = "idle"
    """Stopped: nothing delivered (also after priming and after a single bolus)."""
    PRIMING = "priming"
    CONTINUOUS = "continuous"
    BOLUS = "bolus"
    BRIDGE = "bridge"
    """Old drug in tubing and catheter is pushed out at the rate that keeps the tip dose unchanged."""
    SUSPENDED = "suspended"
    ALARM = "alarm"


S = PumpState

TRANSITIONS: tuple[dict[str, Any], ...] = (
    dict(trigger="prime", source=S.IDLE, dest=S.PRIMING),
    dict(trigger="priming_done", source=S.PRIMING, dest=S.IDLE),
    dict(trigger="start_therapy", source=[S.IDLE, S.SUSPENDED], dest=S.CONTINUOUS),
    dict(trigger="change_program", source=S.CONTINUOUS, dest=S.CONTINUOUS),
    dict(trigger="start_bolus", source=[S.IDLE, S.CONTINUOUS], dest=S.BOLUS),
    dict(trigger="bolus_done", source=S.BOLUS, dest=S.CONTINUOUS, conditions="has_basal_program"),
    dict(trigger="bolus_done", source=S.BOLUS, dest=S.IDLE, unless="has_basal_program"),
    dict(trigger="start_bridge", source=[S.IDLE, S.SUSPENDED], dest=S.BRIDGE),
    dict(trigger="bridge_done", source=S.BRIDGE, dest=S.CONTINUOUS),
    dict(trigger="suspend", source=[S.CONTINUOUS, S.BOLUS, S.BRIDGE], dest=S.SUSPENDED),
    dict(trigger="resume", source=S.SUSPENDED, dest=S.CONTINUOUS, conditions="has_basal_program"),
    dict(trigger="resume", source=S.SUSPENDED, dest=S.IDLE, unless="has_basal_program"),
    dict(trigger="stop", source=[S.IDLE, S.PRIMING, S.CONTINUOUS, S.BOLUS, S.BRIDGE, S.SUSPENDED], dest=S.IDLE),
    dict(trigger="raise_alarm", source=list(PumpState), dest=S.ALARM),
    dict(trigger="clear_alarm", source=S.ALARM, dest=S.SUSPENDED, conditions="has_program"),
    dict(trigger="clear_alarm", source=S.ALARM, dest=S.IDLE, unless="has_program"),
    dict(trigger="refill", source=[S.IDLE, S.SUSPENDED, S.ALARM], dest=None),
    dict(trigger="configure_ptm", source=[S.IDLE, S.CONTINUOUS, S.SUSPENDED], dest=None),
    dict(trigger="configure_periodic_bolus", source=[S.IDLE, S.CONTINUOUS, S.SUSPENDED], dest=None),
)


class StateModel:
    """What the machine attaches to: the state plus the guard predicates the table names."""

    state: PumpState

    def __init__(self, has_basal_program: Callable[[], bool], has_program: Callable[[], bool]) -> None:
        self._has_basal_program = has_basal_program
        self._has_program = has_program

    @property
    def has_basal_program(self) -> bool:
        return self._has_basal_program()

    @property
    def has_program(self) -> bool:
        """A basal program or periodic boluses are kept (an alarm clears to suspended, not idle)."""
        return self._has_program()


def build_machine(model: StateModel, on_exception: Callable[[Any], None] | None = None) -> Machine:
    """Strict settings: no auto transitions, queued, invalid triggers raise, exceptions latch a fault."""
    return Machine(model=model, states=PumpState, transitions=[dict(t) for t in TRANSITIONS],
                   initial=PumpState.IDLE, auto_transitions=False, queued=True,
                   ignore_invalid_triggers=False, send_event=True, on_exception=on_exception)


def mermaid(transitions: tuple[dict[str, Any], ...] = TRANSITIONS) -> str:
    """Mermaid stateDiagram text of the table (guards shown in brackets, internal transitions as self-loops)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.IDLE.value}"]
    for t in transitions:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for source in sources:
            dest = source if t["dest"] is None else t["dest"]
            guard = f" [{t['conditions']}]" if "conditions" in t else (
                f" [not {t['unless']}]" if "unless" in t else "")
            lines.append(f"    {source.value} --> {dest.value}: {t['trigger']}{guard}")
    return "\n".join(lines) + "\n"
