"""What every balance emulator takes from the rig's balance section, and what it says it weighs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hil.gravimetry.conversion import G_PER_MG

if TYPE_CHECKING:
    from hil.devices.rig_sections import RigSections
    from hil.emulators.balance import EmulatedBalance

BALANCE_EMULATE_OPTIONS = ("density_g_per_ml", "noise_sd_g", "seed")
"""`itpump emulate` options every balance emulator takes."""


def describe_balance(emulator: EmulatedBalance) -> str:
    """What the balance weighs: its linked pump's outflow, or (no pump linked, e.g. `itpump emulate balance`) none."""
    if emulator.weighs_outflow:
        return f"weighs the outflow at a density of {emulator.config.density_g_per_ml:g} g/mL"
    return "weighs no outflow (no emulated pump is linked to it, so nothing flows onto its pan)"


def balance_base(rig: RigSections, fill_ul: float) -> dict[str, Any]:
    balance = rig.balance
    if balance is None:
        return {}
    return {"density_g_per_ml": balance.density_g_per_ml,
            "evaporation_g_per_h": balance.evaporation_rate_mg_per_h * G_PER_MG, "baud": balance.baud_rate_bps,
            "settling_time_constant_s": balance.settling_time_s}  # settles as the rig's balance checks expect
