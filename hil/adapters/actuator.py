"""A drivers.SyringePump as the firmware's Actuator port.

Driver errors become ActuatorError with a fault name the firmware maps to an alarm; device alarms in a
status become ActuatorStatus.fault. The reported volume is checked first (volume_check: finite, not negative,
not falling without a reset or clear) [SR-HIL-005]. With a time-compression factor k, scenario time runs k times
faster than wall time, so rates sent to the pump are k times the firmware's; the volume that leaves the syringe in a
scenario interval is then the scenario's own, and reported volumes are passed on unscaled.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from drivers.errors import (DeviceAlarm, DeviceDisconnected, DeviceTimeout, DriverError, FramingError,
                            LimitExceeded, NonFiniteValue, ProtocolError, TransportError)
from drivers.syringe_pump import PumpStatus, SyringePump
from firmware_sim.ports import ActuatorError, ActuatorStatus
from firmware_sim.pump.actuator_faults import ActuatorFault
from firmware_sim.units import S_PER_H
from hil.adapters.silent_pump import SilentPumpBackoff
from hil.adapters.stall_check import GravimetricStallCheck
from hil.adapters.volume_check import CumulativeVolume

DEVICE_ALARM_FAULTS: dict[str, ActuatorFault] = {
    "stall": ActuatorFault.MOTOR_STALL,
    "reset": ActuatorFault.POWER_RESET,
    "watchdog": ActuatorFault.COMMUNICATION_LOST,
    "comm_error": ActuatorFault.COMMUNICATION_LOST,
    "hard_limit": ActuatorFault.MOTOR_STALL,
    "alarm_lock": ActuatorFault.ACTUATOR_FAULT,
    "dead_host_horizon_reached": ActuatorFault.ACTUATOR_FAULT,  # a Harvard pump stopped at its dead-host target
}
"""Driver alarm names -> the firmware's actuator faults (firmware_sim.pump.alarms maps those to alarms). Another
driver alarm is passed on under its own name (the firmware treats it as a generic actuator fault)."""


def fault_for_device_alarm(alarm: str) -> ActuatorFault | str:
    return DEVICE_ALARM_FAULTS.get(alarm, alarm)


def fault_for_error(exc: DriverError) -> ActuatorFault | str:
    if isinstance(exc, DeviceAlarm):
        return fault_for_device_alarm(exc.alarm)
    if isinstance(exc, DeviceDisconnected):
        return ActuatorFault.DISCONNECTED
    if isinstance(exc, (DeviceTimeout, FramingError, TransportError)):
        return ActuatorFault.COMMUNICATION_LOST
    if isinstance(exc, LimitExceeded):
        return ActuatorFault.LIMIT_EXCEEDED
    if isinstance(exc, NonFiniteValue):
        return ActuatorFault.ACTUATOR_FAULT  # the device answered with a reading no device can measure [SR-HIL-005]
    if isinstance(exc, ProtocolError):
        return ActuatorFault.COMMAND_REJECTED
    return ActuatorFault.ACTUATOR_FAULT


class PumpActuator:
    def __init__(
        self, pump: SyringePump, rate_scale: float = 1.0, stall_check: GravimetricStallCheck | None = None,
        silent_backoff: SilentPumpBackoff | None = None
    ) -> None:
        """silent_backoff: on a virtual clock, status reads of a pump that stopped answering are backed off."""
        if not rate_scale >= 1.0:
            raise ValueError(f"rate_scale (time compression factor) must be >= 1, got {rate_scale}")
        self.pump = pump
        self.rate_scale = float(rate_scale)
        self.running = False
        self.stall_check = stall_check
        self.silent_backoff = silent_backoff
        self._commanded_ul_per_s = 0.0
        """The flow last commanded to the device, uL per wall second (0 after a stop)."""
        self._volume = CumulativeVolume()
        self._held_alarms: deque[str] = deque()
        """Device alarms the runner's own status reads saw, in order: read_status reports them first."""
        self.before_exchange: Callable[[], None] | None = None
        """Called before each exchange with the pump (the runner writes out a record line it holds)."""

    def _call(self, action: str, call, *args):  # noqa: ANN001, ANN202 - thin error translation
        if self.before_exchange is not None:
            self.before_exchange()
        try:
            answer = call(*args)
        except DriverError as exc:
            raise ActuatorError(fault_for_error(exc), f"{action}: {type(exc).__name__}: {exc}") from exc
        if self.silent_backoff is not None:
            self.silent_backoff.answered()
        return answer

    def command_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        if not rate_ul_per_h > 0:
            raise ActuatorError("invalid_command", f"rate must be > 0 uL/h (use stop()), got {rate_ul_per_h}")
        self._call("set rate", self.pump.set_rate_ul_per_h, rate_ul_per_h * self.rate_scale)
        self._commanded_ul_per_s = rate_ul_per_h * self.rate_scale / S_PER_H
        if not self.running:
            self._call("start", self.pump.start)
            self.running = True

    def stop(self) -> None:
        self.running = False
        self._commanded_ul_per_s = 0.0
        self._call("stop", self.pump.stop)

    def clear_infused_volume(self) -> None:
        """Clear the pump's counter; the volume reported to the firmware carries on from its last reading."""
        self._call("clear infused volume", self.pump.clear_infused_volume)
        self._volume.counter_cleared()

    def _pump_status(self) -> PumpStatus:
        skipped = self.silent_backoff.skipped() if self.silent_backoff is not None else None
        if skipped is not None:
            raise ActuatorError(ActuatorFault.COMMUNICATION_LOST, f"status: {skipped}")
        try:
            status = self._call("status", self.pump.status)
        except ActuatorError as exc:
            if isinstance(exc.__cause__, DeviceTimeout) and self.silent_backoff is not None:
                self.silent_backoff.silent()
            raise
        self.running = status.running
        return status

    def _delivered_ul(self, status: PumpStatus) -> float:
        """The status's counter as the cumulative volume (volume_check); ActuatorError if it cannot be one."""
        return self._volume.take(status.infused_ul, status.alarm == "reset")

    def read_status(self) -> ActuatorStatus:
        status = self._pump_status()
        delivered_ul = self._delivered_ul(status)
        alarm = status.alarm
        if self._held_alarms:
            if alarm:
                self._held_alarms.append(alarm)
            alarm = self._held_alarms.popleft()
        fault = fault_for_device_alarm(alarm) if alarm else None
        detail = None
        if fault is None and self.stall_check is not None:
            fault = self.stall_check.fault(delivered_ul, self._commanded_ul_per_s if status.running else 0.0)
            detail = self.stall_check.detail if fault else None
        return ActuatorStatus(running=status.running, delivered_ul=delivered_ul, fault=fault, fault_detail=detail)

    def read_status_unsupervised(self) -> UnsupervisedRead:
        """The runner's own status read, outside the firmware's supervision (a volume sample the firmware's read of
        that moment did not give, the read after the final stop). Its volume passes the same checks and carries on
        across resets and clears as read_status's; no balance check is made; a device alarm in it is held for the
        firmware's next read_status, not lost (the drivers hand each alarm to one status only). ActuatorError if the
        pump does not answer."""
        status = self._pump_status()
        if status.alarm:
            self._held_alarms.append(status.alarm)
        try:
            return UnsupervisedRead(status.running, self._delivered_ul(status))
        except ActuatorError as exc:
            return UnsupervisedRead(status.running, None, str(exc))


@dataclass(frozen=True)
class UnsupervisedRead:
    """PumpActuator.read_status_unsupervised: whether the pump runs, and its volume as the firmware's reads count it
    (None when the pump's counter fails their checks, volume_problem saying how)."""

    running: bool
    delivered_ul: float | None
    volume_problem: str | None = None
