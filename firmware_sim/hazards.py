"""The hazard registry: one entry per HAZ- ID with its cause, harm, the requirements that control it and the
scenarios that show it caught or prevented (bundled names: bench_configs/scenarios/hazards/<name>.yaml, or a
top-level bench_configs/scenarios/<name>.yaml).

Causes follow clinical-and-device.md sections 1.5, 2.3 and 3 (label overdose and withdrawal, field notices,
GPCA hazard categories). Each hazard scenario names its hazard in `hazard_id`; tests/hazards checks that every
hazard has a scenario, that every scenario's hazard exists, and that every hazard scenario passes.
"""
from __future__ import annotations

from dataclasses import dataclass

OVERDOSE = "overdose (respiratory depression, hypotonia, coma)"
WITHDRAWAL = "withdrawal (rebound spasticity, fever, rhabdomyolysis, death)"


@dataclass(frozen=True)
class Hazard:
    hazard_id: str
    title: str
    cause: str
    harm: str
    requirement_ids: tuple[str, ...]
    scenarios: tuple[str, ...]


def _hazards(*hazards: Hazard) -> dict[str, Hazard]:
    registry: dict[str, Hazard] = {}
    for hazard in hazards:
        if hazard.hazard_id in registry:
            raise ValueError(f"hazard {hazard.hazard_id} is registered twice")
        registry[hazard.hazard_id] = hazard
    return registry


HAZARDS: dict[str, Hazard] = _hazards(
    # --- programming (GPCA: use, dose error reduction / drug library) ---
    Hazard("HAZ-PRG-001", "10x rate", "a daily dose entered 10x too high", OVERDOSE,
           ("SR-DOSE-001",), ("hazard-ten-x-rate", "hazard-overdose-rejected")),
    Hazard("HAZ-PRG-002", "1000x concentration error (mg/mL as mcg/mL)",
           "a concentration in mg/mL entered in the mcg/mL field: the pump moves 1000x the volume", OVERDOSE,
           ("SR-DOSE-004",), ("hazard-mg-entered-as-mcg",)),
    Hazard("HAZ-PRG-003", "1/1000 concentration error (mcg/mL as mg/mL)",
           "a concentration in mcg/mL read as mg/mL: the pump moves 1/1000 of the volume", WITHDRAWAL,
           ("SR-DOSE-004", "SR-PK-006"), ("hazard-mcg-entered-as-mg",)),
    Hazard("HAZ-PRG-004", "bolus above the maximum", "a single bolus above the library maximum", OVERDOSE,
           ("SR-BOL-001",), ("hazard-bolus-above-maximum",)),
    Hazard("HAZ-PRG-005", "titration above the daily cap", "a daily-dose increase above the indication's cap",
           OVERDOSE, ("SR-TIT-001",), ("hazard-titration-above-cap",)),
    Hazard("HAZ-PRG-006", "flex step above the maximum rate", "a flex schedule step above the drug's maximum rate",
           OVERDOSE, ("SR-DOSE-006",), ("hazard-flex-step-above-max-rate",)),
    Hazard("HAZ-PRG-007", "bolus stacking on a flex peak", "a bolus during a flex peak, together above the maximum rate",
           OVERDOSE, ("SR-DOSE-006",), ("hazard-bolus-on-flex-peak",)),
    Hazard("HAZ-PRG-008", "PTM hammering", "the patient presses the PTM far more often than the lockout allows",
           OVERDOSE, ("SR-PTM-001", "SR-PTM-002", "SR-PTM-003"), ("hazard-ptm-hammering",)),
    Hazard("HAZ-PRG-009", "daily dose above the hard maximum", "a program above the hard daily maximum", OVERDOSE,
           ("SR-DOSE-001",), ("hazard-daily-dose-above-hard-max",)),
    Hazard("HAZ-PRG-010", "daily dose above the soft maximum", "a program above the soft maximum without an override",
           OVERDOSE, ("SR-DOSE-002",), ("hazard-soft-max-without-override",)),
    Hazard("HAZ-PRG-011", "bolus too fast", "a bolus duration below the minimum (a push)", OVERDOSE,
           ("SR-BOL-002",), ("hazard-bolus-too-fast",)),
    Hazard("HAZ-PRG-012", "stacked boluses", "a second bolus while one runs", OVERDOSE,
           ("SR-BOL-003",), ("hazard-second-bolus-while-running",)),
    Hazard("HAZ-PRG-013", "compounded titration", "two dose increases within 24 h", OVERDOSE,
           ("SR-TIT-002",), ("hazard-two-increases-in-24h",)),
    Hazard("HAZ-PRG-014", "therapy on an unprimed catheter", "therapy started before priming", WITHDRAWAL,
           ("SR-PRM-001",), ("hazard-therapy-without-priming",)),
    Hazard("HAZ-PRG-015", "repeated priming bolus", "a priming bolus on a primed catheter (drug at the priming rate)",
           OVERDOSE, ("SR-PRM-001",), ("hazard-double-priming",)),
    Hazard("HAZ-PRG-016", "periodic bolus drifting onto a flex peak", "a periodic bolus whose interval is not a whole "
           "day (or whose first run is days away) lands on a flex peak at a run beyond the gate's plan", OVERDOSE,
           ("SR-BOL-006", "SR-BOL-004", "SR-DOSE-006"), ("hazard-periodic-bolus-on-flex-peak",)),
    Hazard("HAZ-PRG-017", "re-timed flex schedule", "a flex schedule re-timed earlier: each program's daily dose "
           "stays the same while one 24 h window gets two days' doses", OVERDOSE, ("SR-TIT-003", "SR-DOSE-009"),
           ("hazard-retimed-flex-schedule",)),
    # --- refill ---
    Hazard("HAZ-REF-001", "pocket fill", "the refill needle outside the septum: drug into the subcutaneous pocket",
           f"{OVERDOSE}; early depletion of the reservoir", ("SR-RES-005",),
           ("hazard-pocket-fill", "hazard-pocket-fill-detected")),
    Hazard("HAZ-REF-002", "wrong concentration", "a refill concentration that is not in the drug library",
           f"{OVERDOSE} or {WITHDRAWAL}", ("SR-DOSE-004",), ("hazard-wrong-concentration",)),
    Hazard("HAZ-REF-003", "screening product used for therapy", "the 50 mcg/mL screening product filled for therapy",
           WITHDRAWAL, ("SR-DOSE-005",), ("hazard-screening-concentration-for-therapy",)),
    Hazard("HAZ-REF-004", "concentration change without a bridge bolus",
           "old drug in tubing and catheter pushed out at the new concentration's volume rate",
           f"{WITHDRAWAL} (stronger new drug) or {OVERDOSE} (weaker new drug)", ("SR-BOL-005", "SR-PK-006"),
           ("hazard-concentration-change-without-bridge", "hazard-concentration-change-with-bridge",
            "refill-concentration-change")),
    Hazard("HAZ-REF-005", "missed refill", "the refill is missed until the reservoir is empty", WITHDRAWAL,
           ("SR-RES-002", "SR-RES-003", "SR-PK-006"), ("hazard-refill-missed-until-empty",)),
    Hazard("HAZ-REF-006", "refill above capacity", "more drug injected than the reservoir holds",
           f"{OVERDOSE} (drug into the pocket)", ("SR-RES-004",), ("hazard-refill-above-capacity",)),
    Hazard("HAZ-REF-007", "refill while delivering", "a refill without stopping the pump",
           f"{OVERDOSE} or {WITHDRAWAL} (reservoir estimate lost)", ("SR-RES-006",), ("hazard-refill-while-delivering",)),
    # --- delivery ---
    Hazard("HAZ-DEL-001", "catheter occlusion during continuous delivery", "a kinked, blocked or granuloma-capped catheter",
           WITHDRAWAL, ("SR-ALM-001", "SR-ALM-004", "SR-PK-006"),
           ("hazard-occlusion-continuous", "hazard-occlusion-cleared-and-restarted", "hazard-occlusion")),
    Hazard("HAZ-DEL-002", "catheter occlusion during a bolus", "the catheter blocks while a bolus runs",
           f"{WITHDRAWAL}; a rush of drug when it opens", ("SR-ALM-001", "SR-ALM-004", "SR-PK-006"),
           ("hazard-occlusion-during-bolus",)),
    Hazard("HAZ-DEL-003", "motor stall", "drive shaft wear, gear corrosion, foreign particles (Class I recalls)",
           WITHDRAWAL, ("SR-ALM-001", "SR-ALM-004", "SR-PK-006"), ("hazard-motor-stall-caught", "hazard-motor-stall")),
    Hazard("HAZ-DEL-004", "catheter leak or disconnection", "a cracked, migrated or disconnected catheter: the pump "
           "delivers, the patient does not get it, and the pump cannot see it", WITHDRAWAL, ("SR-PK-006",),
           ("hazard-catheter-disconnection",)),
    Hazard("HAZ-DEL-005", "pump over-infusion, computed reservoir lags", "the drive delivers a few percent more than "
           "the pump counts: the reservoir is computed from the programmed rate, so the low-reservoir alarm comes late "
           "and the reservoir can run dry unannounced (SynchroMed II overinfusion notice)",
           f"{OVERDOSE}; then {WITHDRAWAL} when the reservoir runs dry", ("SR-SUP-006", "SR-ALM-001", "SR-PK-006"),
           ("hazard-pump-runs-fast",)),
    Hazard("HAZ-DEL-006", "priming-bolus mixing", "drug and non-drug fluid mix in tubing and catheter at the priming "
           "rate: drug reaches the patient before priming ends, then a period of reduced concentration (2013 recall)",
           f"{OVERDOSE} during priming, then {WITHDRAWAL}", ("SR-PK-007", "SR-PK-003", "SR-PK-006"),
           ("hazard-priming-bolus-mixing",)),
    # --- communication and power ---
    Hazard("HAZ-SYS-001", "serial link lost mid-bolus", "a loose cable or interference between controller and pump",
           WITHDRAWAL, ("SR-ALM-001", "SR-ALM-004", "SR-DRV-002", "SR-PK-006"), ("hazard-serial-link-lost-mid-bolus",)),
    Hazard("HAZ-SYS-002", "power reset during infusion", "battery failure or a power interruption resets the pump",
           WITHDRAWAL, ("SR-ALM-001", "SR-ALM-004", "SR-PK-006"), ("hazard-power-reset-mid-infusion",)),
    Hazard("HAZ-SYS-003", "balance and pump disagree", "what reaches the patient differs from what the pump reports "
           "(partial leak, lost steps)", WITHDRAWAL, ("SR-PK-006",), ("hazard-balance-pump-disagree",)),
    Hazard("HAZ-SYS-004", "move command corrupted into other valid G-code", "a bit error on the serial line turns a "
           "GRBL move into another valid line (G21 -> G20: 25.4x the travel and the feed), which GRBL accepts",
           OVERDOSE, ("SR-DRV-012", "SR-ALM-001", "SR-ALM-004"), ("hazard-gcode-corrupted-to-inches",)),
)


def hazard(hazard_id: str) -> Hazard:
    """The registered hazard; KeyError naming the unknown ID."""
    try:
        return HAZARDS[hazard_id]
    except KeyError:
        raise KeyError(f"unknown hazard ID {hazard_id!r} (not in firmware_sim/hazards.py)") from None
