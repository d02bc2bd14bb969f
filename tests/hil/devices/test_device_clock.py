"""A rig's drivers get its device clock (the virtual clock on an emulated rig) for heartbeats and polling."""
from __future__ import annotations

from firmware_sim.clock import VirtualClock
from hil.config.loading import load_model
from hil.config.rig import RigConfig
from hil.paths import bundled
from hil.rig.registry import BALANCE_PROTOCOLS, PUMP_DRIVERS, BuildContext


def _context(rig_name: str) -> BuildContext:
    rig = load_model(bundled("rigs", rig_name), RigConfig)
    return BuildContext(config=rig, clock=VirtualClock(), pump_url="loop://", balance_resource="ASRLloop://::INSTR")


def test_ne1000_and_grbl_drivers_keep_the_rig_device_clock():
    for rig_name, clock_of in (("emulated-ne1000", lambda pump: pump._link.clock),
                               ("emulated-grbl", lambda pump: pump.clock)):
        ctx = _context(rig_name)
        pump = PUMP_DRIVERS[ctx.config.pump.driver](ctx)
        assert clock_of(pump) is ctx.emulator_clock is ctx.clock


def test_sartorius_driver_keeps_the_rig_device_clock():
    ctx = _context("emulated-ne1000-sartorius")
    balance = BALANCE_PROTOCOLS[ctx.config.balance.protocol](ctx)
    assert balance.clock is ctx.emulator_clock
