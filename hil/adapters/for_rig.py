"""The firmware's actuator and the balance sampler for an opened rig, wired the same way for the runner and the
pytest plugin: a pump with a balance gets the gravimetric delivery-accuracy check (balance.delivery_check), an
open-loop pump (GRBL) also the stall check."""
from __future__ import annotations

from collections.abc import Callable

from hil.adapters.actuator import PumpActuator
from hil.adapters.balance import BalanceSampler, GravimetricReading
from hil.adapters.silent_pump import SilentPumpBackoff
from hil.adapters.stall_check import DeliveryAccuracy, GravimetricStallCheck
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
    stall_check, balance = None, rig.config.balance
    if weigh is not None and balance is not None:
        check = balance.delivery_check
        accuracy = DeliveryAccuracy(check.tolerance_fraction, check.window_volume_ul) if check.enabled else None
        stall = rig.config.pump.driver in OPEN_LOOP_DRIVERS
        if stall or accuracy is not None:
            stall_check = GravimetricStallCheck(weigh, accuracy=accuracy, stall=stall,
                                                balance_lag_s=balance.settling_time_s)
    backoff = SilentPumpBackoff(rig.clock.now_s) if rig.config.clock == "virtual" else None
    return PumpActuator(rig.pump, rig.time_compression_factor, stall_check, backoff)
