"""New Era NE-1000 family syringe pump: rig section, driver, emulator (protocols.md section 1)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from drivers.ne1000 import DEFAULT_SAFE_MODE_TIMEOUT_S, SAFE_MODE_TIMEOUT_RANGE_S, NE1000Pump
from drivers.transport import SerialTransport
from hil.config.common import Number, StrictModel, WholeNumber
from hil.config.transport import TransportConfig
from hil.devices.building import describe_syringe, pump_emulator_base
from hil.devices.kind import DeviceKind, Role
from hil.emulators.ne1000 import EmulatedNE1000
from hil.emulators.ne1000_config import NE1000Config
from hil.emulators.ne1000_core import NE1000Core

if TYPE_CHECKING:
    from hil.devices.context import BuildContext

class Ne1000PumpConfig(StrictModel):
    driver: Literal["ne1000"]
    transport: TransportConfig
    address: WholeNumber = Field(0, ge=0, le=99)
    safe_mode: bool = Field(True, description="CRC-framed protocol and communications watchdog; basic mode "
                                                 "(no CRC, no watchdog) only when set to false explicitly")
    baud_rate_bps: Literal[300, 1200, 2400, 9600, 19200] = 19200
    watchdog_timeout_s: WholeNumber = Field(
        DEFAULT_SAFE_MODE_TIMEOUT_S, ge=SAFE_MODE_TIMEOUT_RANGE_S[0], le=SAFE_MODE_TIMEOUT_RANGE_S[1],
        validate_default=True,
        description="safe-mode communications watchdog (SAF<n>): the pump stops itself after this long without a "
                    "valid command from the host")
    heartbeat_interval_s: Number | None = Field(
        None, gt=0, description="status query sent when the link has been quiet this long; default half the watchdog")

    @field_validator("watchdog_timeout_s")
    @classmethod
    def _outlasts_one_exchange(cls, watchdog_s: int, info: ValidationInfo) -> int:
        """In safe mode (basic mode has no watchdog), the watchdog must outlast the wait for one reply."""
        transport = info.data.get("transport")
        if info.data.get("safe_mode") and transport is not None and transport.timeout_s >= watchdog_s:
            raise ValueError(f"{watchdog_s} s is not longer than pump.transport.timeout_s ({transport.timeout_s:g} s): "
                             f"the watchdog would expire while the host waits for one reply")
        return watchdog_s

    @field_validator("heartbeat_interval_s")
    @classmethod
    def _heartbeat_within_watchdog(cls, interval_s: float | None, info: ValidationInfo) -> float | None:
        watchdog_s = info.data.get("watchdog_timeout_s")
        if interval_s is not None and watchdog_s is not None and interval_s >= watchdog_s:
            raise ValueError(f"{interval_s:g} s is not shorter than watchdog_timeout_s ({watchdog_s} s): the watchdog "
                             f"would expire between heartbeats")
        return interval_s

    @model_validator(mode="after")
    def _watchdog_only_in_safe_mode(self) -> Ne1000PumpConfig:
        given = sorted({"watchdog_timeout_s", "heartbeat_interval_s"} & self.model_fields_set)
        if given and not self.safe_mode:
            raise ValueError(f"{' and '.join(given)}: for safe mode only; safe_mode is false (basic mode has no "
                             f"watchdog)")
        return self


def _pump(ctx: BuildContext) -> NE1000Pump:
    pump = ctx.config.pump
    assert isinstance(pump, Ne1000PumpConfig)
    transport = SerialTransport(ctx.pump_url, baudrate=pump.baud_rate_bps, timeout_s=pump.transport.timeout_s)
    return NE1000Pump(transport, address=pump.address, safe_mode=pump.safe_mode,
                      max_rate_ul_per_h=ctx.config.max_rate_ul_per_h, reply_timeout_s=pump.transport.timeout_s,
                      safe_mode_timeout_s=pump.watchdog_timeout_s, heartbeat_interval_s=pump.heartbeat_interval_s,
                      clock=ctx.driver_clock)


def _describe(emulator: EmulatedNE1000) -> str:
    timeout_s = emulator.config.safe_mode_timeout_s
    return describe_syringe(emulator) + (f"; safe mode, watchdog {timeout_s} s" if timeout_s else "; basic mode")


KIND = DeviceKind(
    name="ne1000", role=Role.PUMP, config_kind="ne1000", pump_config=Ne1000PumpConfig, driver_factory=_pump,
    emulator_class=EmulatedNE1000, emulator_config_type=NE1000Config,
    emulator_base=pump_emulator_base(Ne1000PumpConfig, address="address", baud="baud_rate_bps"),
    faults=NE1000Core.FAULTS, start_order=0,
    emulate_options=("syringe_diameter_mm", "syringe_volume_ul", "address", "safe_mode_timeout_s"),
    describe=_describe)
