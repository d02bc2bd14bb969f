"""The balance linked to an emulated pump follows the pump's outflow exactly, whenever its serving thread happens to
look: a reading depends on the pump's history alone, so a virtual-time run gives the same readings on a loaded
machine as on a quiet one (campaigns compare runs bit for bit)."""
from __future__ import annotations

import math
import re

import pytest

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedBalance, EmulatedNE1000

RATE_UL_PER_H = 1000.0
STALL_AT_S = 1821.6
READ_AT_S = 1830.0
TAU_S = 30.0
WEIGHT = re.compile(rb"^S [SD] +(-?\d+\.\d{4}) g\r\n$")


def reading_g(serving_ticks_s: list[float]) -> float:
    clock = VirtualClock()
    pump = EmulatedNE1000(clock, syringe_diameter_mm=14.43, syringe_volume_ul=10000)
    pump.transact(b"\r")
    balance = EmulatedBalance(clock, pump, noise_sd_g=0.0, settling_time_constant_s=TAU_S, density_g_per_ml=1.0)
    pump.transact(b"RAT 1000 UH\r")
    pump.transact(b"RUN\r")
    pump.inject_fault("stall", at_s=STALL_AT_S)
    for t_s in serving_ticks_s:
        clock.sleep_until_s(t_s)
        pump.transact(b"")
        balance.transact(b"")
    clock.sleep_until_s(READ_AT_S)
    match = WEIGHT.match(balance.transact(b"SI\r\n"))
    assert match is not None
    return float(match.group(1))


def exact_display_g() -> float:
    """First-order settling of a ramp that stops: lag slope*tau (fully developed) decaying after the stop."""
    slope_g_per_s = RATE_UL_PER_H / 3600.0 / 1000.0
    ramp_lag_g = slope_g_per_s * TAU_S * (1.0 - math.exp(-STALL_AT_S / TAU_S))
    lag_g = ramp_lag_g * math.exp(-(READ_AT_S - STALL_AT_S) / TAU_S)
    return slope_g_per_s * STALL_AT_S - lag_g


@pytest.mark.parametrize("ticks_s", [[], [1821.0, 1822.0], [float(t) for t in range(1, 1830, 7)]],
                         ids=["never", "around-the-stop", "every-7-s"])
def test_reading_after_a_stop_is_exact_whenever_the_serving_thread_looked(ticks_s):
    assert reading_g(ticks_s) == pytest.approx(exact_display_g(), abs=1.5e-4)
    assert reading_g(ticks_s) == reading_g([])
