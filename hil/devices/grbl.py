"""GRBL 1.1 stepper syringe: rig section, driver, emulator (protocols.md section 3.1). Open loop: its status
reports commanded motion."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from drivers.grbl import GrblSyringe
from drivers.syringe_pump import plunger_area_mm2
from drivers.transport import SerialTransport
from hil.config.bounds import MAX_STARTUP_WAIT_S
from hil.config.common import Number, StrictModel, WholeNumber
from hil.config.transport import TransportConfig
from hil.devices.building import describe_syringe, pump_emulator_base
from hil.devices.dead_host_horizon import dead_host_horizon_s
from hil.devices.kind import DeviceKind, Role
from hil.emulators.grbl import EmulatedGrbl
from hil.emulators.grbl_config import GrblConfig
from hil.emulators.grbl_core import GrblCore

if TYPE_CHECKING:
    from hil.devices.context import BuildContext


class GrblPumpConfig(StrictModel):
    driver: Literal["grbl"]
    transport: TransportConfig
    baud_rate_bps: WholeNumber = Field(115200, gt=0, le=10_000_000)
    steps_per_mm: Number = Field(gt=0, le=1e6, description="GRBL $100: motor steps/rev x microsteps / lead mm per rev")
    startup_wait_s: Number = Field(
        2.0, ge=0, le=MAX_STARTUP_WAIT_S, description="wait for the banner after open (board resets) [U]"
    )
    min_feed_mm_per_min: Number = Field(
        1.0, gt=0, le=1e4, description="GRBL MINIMUM_FEED_RATE build constant (stock 1.0) [U]"
    )
    motion_horizon_s: Number | None = Field(
        None, gt=0, le=86400,
        description="most motion (device seconds) GRBL may hold queued; a dead host's stepper stops within it. "
                    "Default: three supervision periods of the run (hil.rig.motion_horizon) [SR-DRV-010]")


def _pump(ctx: BuildContext) -> GrblSyringe:
    pump = ctx.config.pump
    assert isinstance(pump, GrblPumpConfig)
    syringe = ctx.config.syringe
    area_mm2 = plunger_area_mm2(syringe.diameter_mm)
    transport = SerialTransport(ctx.pump_url, baudrate=pump.baud_rate_bps, timeout_s=pump.transport.timeout_s)
    return GrblSyringe(transport, steps_per_mm=pump.steps_per_mm, diameter_mm=syringe.diameter_mm,
                       max_rate_ul_per_h=ctx.config.max_rate_ul_per_h, travel_mm=syringe.volume_ul / area_mm2,
                       min_feed_mm_per_min=pump.min_feed_mm_per_min, reply_timeout_s=pump.transport.timeout_s,
                       banner_wait_s=pump.startup_wait_s, clock=ctx.driver_clock,
                       motion_horizon_s=dead_host_horizon_s(pump.motion_horizon_s, ctx.supervision_period_s,
                                                            ctx.time_compression_factor))


KIND = DeviceKind(
    name="grbl", role=Role.PUMP, config_kind="grbl", pump_config=GrblPumpConfig, driver_factory=_pump,
    emulator_class=EmulatedGrbl, emulator_config_type=GrblConfig,
    emulator_base=pump_emulator_base(GrblPumpConfig, steps_per_mm="steps_per_mm", baud="baud_rate_bps"),
    faults=GrblCore.FAULTS, start_order=0, open_loop=True,
    emulate_options=("syringe_diameter_mm", "syringe_volume_ul", "steps_per_mm"),
    describe=describe_syringe)
