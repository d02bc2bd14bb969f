"""What the NE-1000 and Harvard syringe-pump cores share: polling, the pump faults (stall, the outlet faults,
power_reset) and the outbox they drain. Each core supplies advance_to(t_s), its own power_reset() and its receive."""
from __future__ import annotations

from typing import Any

from hil.emulators.faults import EmulatorError, Fault, validate_pump_fault
from hil.emulators.syringe import OUTLET_FAULTS, Syringe, apply_outlet_fault

OCCLUSION_STALLS_TEXT = "the outlet blocks: nothing leaves, the motor stalls after `compliance_ul` is taken up"
"""What occlusion does to a pump whose motor notices it cannot turn (FAULTS of the SyringePumpCore cores)."""


class SyringePumpCore:
    """Base of a pump core with `config`, `syringe`, `motor_jammed` and `_outbox` attributes."""

    DEVICE_LABEL = "pump"
    """Names the device in an unknown-fault error."""
    config: Any
    syringe: Syringe
    motor_jammed: bool
    _outbox: bytearray

    def advance_to(self, t_s: float) -> None:
        raise NotImplementedError

    def power_reset(self) -> None:
        raise NotImplementedError

    def poll(self, t_s: float) -> bytes:
        self.advance_to(t_s)
        return self._drain()

    def validate_fault(self, name: Fault, params: dict) -> None:
        validate_pump_fault(name, params)

    def apply_fault(self, name: Fault, t_s: float, params: dict) -> bytes:
        self.validate_fault(name, params)
        self.advance_to(t_s)
        if name == Fault.STALL:
            self.motor_jammed = True  # the advance below stalls the motor if it was moving
        elif name in OUTLET_FAULTS:
            apply_outlet_fault(self.syringe, self.config, name, params)
        elif name == Fault.POWER_RESET:
            self.power_reset()
        else:
            raise EmulatorError(f"{self.DEVICE_LABEL}: unknown fault {str(name)!r}")
        self.advance_to(t_s)
        return self._drain()

    def _drain(self) -> bytes:
        out = bytes(self._outbox)
        self._outbox.clear()
        return out
