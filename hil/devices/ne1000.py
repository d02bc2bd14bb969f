"""New Era NE-1000 family syringe pump: rig section, driver, emulator (protocols.md section 1)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from drivers.ne1000 import SAFE_MODE_TIMEOUT_RANGE_S, NE1000Pump
from drivers.transport import SerialTransport
from hil.config.common import StrictModel, WholeNumber
from hil.config.transport import TransportConfig
from hil.devices.building import describe_syringe, pump_emulator_base
from hil.devices.kind import DeviceKind, Role
from hil.emulators.ne1000 import EmulatedNE1000
from hil.emulators.ne1000_config import NE1000Config
from hil.emulators.ne1000_core import NE1000Core

if TYPE_CHECKING:
    from hil.devices.context import BuildContext

NE1000_MAX_WATCHDOG_S = SAFE_MODE_TIMEOUT_RANGE_S[1]
"""Safe-mode watchdog on a virtual clock. The driver's heartbeat runs there too (on the clock: every heartbeat due
in a jump is sent at its time), but a heartbeat is due only after half the watchdog without traffic, so with the
longest watchdog the supervision polls (every 60 s by default) feed it and a virtual run exchanges nothing extra
per tick; the 10 s default would add a heartbeat every 5 virtual seconds."""


class Ne1000PumpConfig(StrictModel):
    driver: Literal["ne1000"]
    transport: TransportConfig
    address: WholeNumber = Field(0, ge=0, le=99)
    safe_mode: bool = Field(True, description="CRC-framed protocol and communications watchdog; basic mode "
                                                 "(no CRC, no watchdog) only when set to false explicitly")
    baud_rate_bps: Literal[300, 1200, 2400, 9600, 19200] = 19200


def _pump(ctx: BuildContext) -> NE1000Pump:
    pump = ctx.config.pump
    assert isinstance(pump, Ne1000PumpConfig)
    transport = SerialTransport(ctx.pump_url, baudrate=pump.baud_rate_bps, timeout_s=pump.transport.timeout_s)
    options: dict[str, Any] = {"safe_mode_timeout_s": NE1000_MAX_WATCHDOG_S} if ctx.virtual_time else {}
    return NE1000Pump(transport, address=pump.address, safe_mode=pump.safe_mode,
                      max_rate_ul_per_h=ctx.config.max_rate_ul_per_h, reply_timeout_s=pump.transport.timeout_s,
                      clock=ctx.driver_clock, **options)


def _describe(config: NE1000Config) -> str:
    timeout_s = config.safe_mode_timeout_s
    return describe_syringe(config) + (f"; safe mode, watchdog {timeout_s} s" if timeout_s else "; basic mode")


KIND = DeviceKind(
    name="ne1000", role=Role.PUMP, config_kind="ne1000", pump_config=Ne1000PumpConfig, driver_factory=_pump,
    emulator_class=EmulatedNE1000, emulator_config_type=NE1000Config,
    emulator_base=pump_emulator_base(Ne1000PumpConfig, address="address", baud="baud_rate_bps"),
    faults=NE1000Core.FAULTS, start_order=0,
    emulate_options=("syringe_diameter_mm", "syringe_volume_ul", "address", "safe_mode_timeout_s"),
    describe=_describe)
