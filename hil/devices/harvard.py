"""Harvard Apparatus "pump chain" syringe pump (PHD ULTRA, Pump 11 Elite; KDS Legato dialect): rig section, driver,
emulator (protocols.md section 2)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from drivers.harvard import HarvardPump
from drivers.transport import SerialTransport
from hil.config.common import Number, StrictModel, WholeNumber
from hil.config.transport import TransportConfig
from hil.devices.building import describe_syringe, pump_emulator_base
from hil.devices.dead_host_horizon import dead_host_horizon_s
from hil.devices.kind import DeviceKind, Role
from hil.emulators.harvard import EmulatedHarvard
from hil.emulators.harvard_config import HarvardConfig
from hil.emulators.harvard_core import HarvardCore

if TYPE_CHECKING:
    from hil.devices.context import BuildContext


class HarvardPumpConfig(StrictModel):
    driver: Literal["harvard"]
    transport: TransportConfig
    address: WholeNumber = Field(0, ge=0, le=99)
    dialect: Literal["phd_ultra", "legato"] = Field(
        "phd_ultra", description="phd_ultra (PHD ULTRA, Pump 11 Elite: 12:cmd) or legato (KDS Legato: 12cmd)")
    baud_rate_bps: Literal[9600, 19200, 38400, 57600, 115200] = 115200
    text_line_address: bool = Field(True, description="reply text lines start with the pump address [U]")
    dead_host_horizon_s: Number | None = Field(
        None, gt=0, le=86400, description="most infusion (device seconds at the run's rate) the pump's target volume "
                                          "may lie ahead of its counter; a dead host's pump stops within it. Default: "
                                          "three supervision periods of the run (hil.rig.motion_horizon) [SR-DRV-013]")


def _pump(ctx: BuildContext) -> HarvardPump:
    pump = ctx.config.pump
    assert isinstance(pump, HarvardPumpConfig)
    transport = SerialTransport(ctx.pump_url, baudrate=pump.baud_rate_bps, timeout_s=pump.transport.timeout_s)
    horizon_s = dead_host_horizon_s(pump.dead_host_horizon_s, ctx.supervision_period_s, ctx.time_compression_factor)
    return HarvardPump(transport, address=pump.address, max_rate_ul_per_h=ctx.config.max_rate_ul_per_h,
                       dialect=pump.dialect, reply_timeout_s=pump.transport.timeout_s,
                       text_line_address=pump.text_line_address, dead_host_horizon_s=horizon_s)


def _describe(emulator: EmulatedHarvard) -> str:
    config = emulator.config
    return describe_syringe(emulator) + f"; {config.dialect} dialect, address {config.address}, {config.baud} baud"


KIND = DeviceKind(
    name="harvard", role=Role.PUMP, config_kind="harvard", pump_config=HarvardPumpConfig, driver_factory=_pump,
    emulator_class=EmulatedHarvard, emulator_config_type=HarvardConfig,
    emulator_base=pump_emulator_base(HarvardPumpConfig, address="address", dialect="dialect", baud="baud_rate_bps",
                                     text_line_address="text_line_address"),
    faults=HarvardCore.FAULTS, start_order=0,
    emulate_options=("syringe_diameter_mm", "syringe_volume_ul", "address", "dialect"),
    describe=_describe)
