"""The firmware's actuator and the balance sampler for an opened rig, wired the same way for the runner and the
pytest plugin: an open-loop pump (GRBL) with a balance gets the gravimetric stall check."""
from __future__ import annotations

from typing import Callable

from hil.adapters.actuator import PumpActuator
from hil.adapters.balance import BalanceSampler, GravimetricReading
from hil.adapters.stall_check import GravimetricStallCheck
from hil.rig import Rig
from hil.rig.registry import OPEN_LOOP_DRIVERS


def balance_sampler(rig: Rig) -> BalanceSampler | None:
    """None if the rig has no balance."""
    balance = rig.config.balance
    if rig.balance is None or balance is None:
        return None
    return BalanceSampler(rig.balance, balance.density_g_per_ml, balance.evaporation_rate_mg_per_h,
                          rig.time_compression_factor)


def pump_actuator(rig: Rig, weigh: Callable[[], GravimetricReading | None] | None) -> PumpActuator:
    """weigh() gives the balance reading at the firmware's now (None if there is no balance or no reading)."""
    stall_check = None
    if weigh is not None and rig.config.pump.driver in OPEN_LOOP_DRIVERS:
        stall_check = GravimetricStallCheck(weigh)
    return PumpActuator(rig.pump, rig.time_compression_factor, stall_check)
