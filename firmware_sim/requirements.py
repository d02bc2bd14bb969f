"""The one registry of safety requirement IDs (SR-...).

Every safety check and every safety test names the IDs it covers; the harness prints the
traceability matrix from this table. Keep one entry per line, grouped by area.
"""
from __future__ import annotations

REQUIREMENTS: dict[str, str] = {
    # --- PK envelopes (firmware_sim/pk) ---
    "SR-PK-001": "Peak plasma of an intrathecal regimen is at least 100x (configurable) below the steady-state peak of the oral comparator, by default the maximum labelled oral regimen (20 mg four times a day, 80 mg/day).",
    "SR-PK-002": "Peak plasma stays at or below the ceiling: 5 ng/mL adults, 10 ng/mL under 18 years (configurable).",
    "SR-PK-003": "Peak lumbar CSF concentration stays at or below the configured ceiling (default 3000 ng/mL).",
    "SR-PK-004": "Peak cisternal CSF concentration stays at or below the configured ceiling (default 750 ng/mL).",
    "SR-PK-005": "PK envelopes use true peaks, including peaks that fall between output samples.",
    "SR-PK-006": "Withdrawal is judged like overdose: the effect-site (biophase) concentration predicted from the delivered profile does not stay below a fraction (default 50 %) of the level the running program sustains for longer than a limit (default 6 h); a hazard scenario counts such a drop as caught only when a high-priority alarm came at or before the time it began.",
    "SR-PK-007": "The delivered profile can model mixing of drug and non-drug fluid in pump tubing and catheter (tanks in series, a configurable number, default plug flow) with drug mass conserved, so early drug during priming and the dip after it are judged by the envelopes.",
    # --- dose limits, boluses, PTM, titration (firmware_sim/safety) ---
    "SR-DOSE-001": "A programmed daily dose above the drug library's hard maximum is rejected.",
    "SR-DOSE-002": "A programmed daily dose above the soft maximum is rejected unless an explicit override is given; the override is recorded.",
    "SR-DOSE-003": "Delivered plus planned dose in any rolling 24 h window never exceeds the hard maximum daily dose.",
    "SR-DOSE-004": "Only drug-library concentrations are accepted at refill.",
    "SR-DOSE-005": "A screening-only concentration (50 mcg/mL) is not used for continuous therapy.",
    "SR-DOSE-006": "The tip dose rate never exceeds the drug maximum rate (mcg/h) and the actuator rate never exceeds the pump maximum (uL/h).",
    "SR-DOSE-007": "Non-finite, negative or zero request values are rejected with a reason naming the field.",
    "SR-DOSE-008": "A delivering request (program, bolus, PTM press, periodic bolus and each of its runs) is refused when, with it, a level the patient model predicts from the delivered history and four days of the plan (taken at the top of the delivery tolerance band) would at some moment be above its envelope ceiling and above the level then without the request: lumbar or cisternal CSF always, plasma unless an explicit override is given (a periodic bolus's runs carry the override given at its set-up).",
    "SR-DOSE-009": "A therapy command that would put more programmed dose (basal and periodic boluses as programmed, then planned) in some rolling 24 h window than the soft maximum daily dose, and more than that window holds without the command, is refused unless an explicit override is given; the override is recorded.",
    "SR-BOL-001": "A bolus above the library maximum bolus dose is rejected.",
    "SR-BOL-002": "A bolus shorter than the library minimum duration is rejected.",
    "SR-BOL-003": "Only one bolus runs at a time.",
    "SR-BOL-004": "Periodic boluses fit their interval, their projected daily dose meets the daily limits, and each run passes the gate.",
    "SR-BOL-005": "After a concentration change therapy restarts only through a bridge bolus that pushes the old drug out at the rate that keeps the tip dose.",
    "SR-BOL-007": "A screening bolus (a clinician's bolus while the reservoir holds a screening-only concentration) starts at least the library's screening interval (24 h) after the previous screening bolus.",
    "SR-BOL-006": "Periodic boluses are judged at set-up (and with every program they join) on the basal program under every run they will make, not only the runs within the planning horizon: bolus plus basal rate stays within the maximum rate at each run (runs whose interval does not repeat within whole days are judged on the basal peak).",
    "SR-PTM-001": "A PTM bolus inside the lockout interval is rejected.",
    "SR-PTM-002": "PTM boluses per rolling 24 h never exceed the programmed maximum count.",
    "SR-PTM-003": "PTM dose per rolling 24 h never exceeds the library PTM maximum.",
    "SR-PTM-004": "PTM settings (lockout, count, dose) stay within the drug library; a press without settings is rejected.",
    "SR-TIT-001": "A daily-dose increase is capped per indication (spinal +30 %, cerebral +15 %).",
    "SR-TIT-002": "At most one daily-dose increase per 24 h, counting the first programming.",
    "SR-TIT-003": "A therapy command that would put more programmed dose (basal and periodic boluses as programmed, then planned) in some rolling 24 h window than the last approved daily dose plus the titration cap, and more than that window holds without the command (a re-timed schedule), is refused unless an explicit override is given; the override is recorded.",
    # --- pump states, reservoir, priming, alarms, supervision (firmware_sim/pump) ---
    "SR-PRM-001": "Therapy needs a primed catheter; priming fills pump tubing plus catheter once, from a filled reservoir.",
    "SR-PRM-002": "No dose counts as delivered to the patient before priming has pushed drug to the catheter tip.",
    "SR-PRM-003": "Priming and a bridge bolus take each step of the line where the pump's reports put it, not only the commanded volume: a step to a stronger drug when either volume reaches it, a step to a weaker one when both do (beyond the supervision's absolute slack), and the actuator is read at least every 60 s while priming or bridging, so a pump running fast or slow within tolerance neither pushes drug at the priming rate nor a stronger drug at a weaker one's rate.",
    "SR-RES-001": "Reservoir volume is computed from the commanded volume and is conserved across delivery and refills.",
    "SR-RES-002": "A low-reservoir alarm (low priority) is raised from the programmed-rate estimate at a configurable threshold; delivery continues.",
    "SR-RES-003": "An empty reservoir raises a high-priority alarm and stops delivery; therapy and clearing need a refill.",
    "SR-RES-004": "A refill volume above the reservoir capacity is rejected.",
    "SR-RES-005": "An aspirated residual differing from the estimate beyond tolerance (pocket fill, over- or under-infusion) is rejected unless overridden; the override is recorded.",
    "SR-RES-006": "Refill only while the pump is not delivering.",
    "SR-ALM-001": "A high-priority alarm stops delivery at once, latches, and needs an explicit clear.",
    "SR-ALM-002": "A low-priority alarm annunciates and delivery continues.",
    "SR-ALM-003": "Every alarm carries an IEC 60601-1-8 priority.",
    "SR-ALM-004": "An actuator error or reported fault (stall, occlusion, communication loss) latches the matching high-priority alarm.",
    "SR-ALM-005": "An exception inside the firmware latches a high-priority firmware-fault alarm.",
    "SR-ALM-006": "The elective-replacement time raises a low-priority alarm.",
    "SR-SUP-001": "Each supervision tick compares actuator-reported with commanded volume; a deviation beyond tolerance (default 14.5 %) raises under- or over-delivery.",
    "SR-SUP-002": "A reported 24 h dose above the hard maximum, detected after the fact, raises a high-priority alarm.",
    "SR-SUP-003": "A command not allowed in the current state is rejected with the state named.",
    "SR-SUP-004": "Every decision is logged with reasons and IDs; a rejected request changes nothing but the log.",
    "SR-SUP-005": "The actuator only receives rates derived from gate-approved programs, converted with the concentration at the tip.",
    "SR-SUP-006": "Where a balance weighs the output, the volume it weighs over each window (default 50 uL reported) stays within a configurable tolerance (default 5 %) of the volume the pump reports; a deviation latches the high-priority gravimetric_deviation alarm naming both volumes, and a refill compares the aspirated residual measured from the balance with the firmware's estimate.",
    # --- drivers and rig limits (drivers/, hil/) ---
    "SR-DRV-001": "A pump driver refuses a rate above the rig maximum (LimitExceeded) and sends nothing.",
    "SR-DRV-002": "Every device read has a timeout; a silent or unplugged device raises a typed error, never hangs.",
    "SR-DRV-003": "In NE-1000 safe mode the pump's communications watchdog is armed and a heartbeat feeds it, so the pump stops by itself if the host dies.",
    "SR-DRV-004": "A corrupted reply (CRC, length, terminator, garbage) is rejected with FramingError and never interpreted.",
    "SR-DRV-005": "Device alarms (reply, auto-alarm packet, heartbeat, ALARM:N, overload) are reported to the caller, never swallowed.",
    "SR-DRV-006": "A value the device's number format cannot carry within tolerance is refused, never silently rounded or clipped.",
    "SR-DRV-007": "stop() leaves the pump stopped (NE-1000: STP until prompt S; GRBL: hold, then reset discards queued motion).",
    "SR-DRV-008": "Rate changes while running are applied without stopping where the protocol allows it (NE-1000: same units, no EEPROM write).",
    "SR-DRV-009": "A reply value that is not a finite number (NaN, infinity, too long for a float) is rejected with a ProtocolError naming the field and the raw reply, never handed on.",
    "SR-DRV-010": "A GRBL stepper (no watchdog) never has more than the rig's motion horizon of motion queued; the host tops it up on every status read, so a dead host's stepper stops within the horizon.",
    "SR-DRV-011": "An NE-1000 syringe diameter is read back after it is set: a pump reporting another diameter than the rig's is refused at open, naming both values.",
    "SR-DRV-012": "After every GRBL move the driver reads the parser state ($G) in the same write and checks the modes it relies on (G1, G17, G21, G91, G94) and the feed within the precision GRBL prints; a move line corrupted into other valid G-code is a typed error that stops the pump with a high-priority alarm naming the mismatch.",
    "SR-DRV-013": "A Harvard pump-chain pump (no watchdog) never has its target volume more than the rig's dead-host horizon of infusion ahead of its counter while running; the host raises it on status reads before it is reached, so a dead host's pump stops by itself within the horizon, and a pump found at that target while the host lives raises a high-priority alarm.",
    # --- harness (hil/) ---
    "SR-HIL-001": "On every exit path of a run (completion, error, Ctrl-C) the harness stops the pump before it closes ports and stops emulators; Ctrl-C stops the pump first, then finishes the record.",
    "SR-HIL-002": "Time compression on a bench rig is refused when the compressed maximum rate would exceed the rig maximum, and on virtual rigs; the factor in use is stated in the record and report.",
    "SR-HIL-003": "The run record is append-only and flushed per event: a killed run keeps every event written before the kill, and a record without its end renders as ERROR.",
    "SR-HIL-004": "A run that crashed, could not open its rig, or whose outputs failed to render is ERROR, never PASS.",
    "SR-HIL-005": "The pump adapter gives the firmware only finite, non-negative, non-decreasing delivered volumes: a non-finite or negative volume, or a decrease the pump did not explain by a reset or clear, latches a high-priority actuator fault naming the value; a non-finite balance mass is a failed reading.",
    "SR-HIL-006": "A campaign judges every run from its record: a run whose record is lost, damaged or could not be judged counts in records_lost (or as an unsafe not_assessed outcome) and never as safe; a fault plan for a device a rig lacks, or a fault its kind does not have, is refused at load naming the file, key and line.",
    "SR-HIL-007": "A campaign record is append-only and flushed per finished run: a killed campaign keeps every finished run, and a resume runs only the runs without a finished line, never one twice, and ends with the summary of an uninterrupted campaign.",
    # configuration (hil/config)
    "SR-CFG-001": "Drug-library limits (a library file or a scenario's limits_override) and a scenario's patient stay within absolute plausibility bounds; a limit beyond the label's range, or a patient outside the label's population (younger than 4 years, lighter than the weight floor), needs an explicit acknowledgement with a reason, else the file is refused at load.",
    "SR-CFG-002": "Every drug-limit override is recorded in the run record and shown at the top of the terminal verdict and of the report.",
    "SR-CFG-003": "An NE-1000 rig runs in safe mode (CRC framing, communications watchdog) unless basic mode is asked for explicitly.",
    "SR-CFG-004": "A configuration that is not a bounded UTF-8 YAML document of finite, non-boolean numbers within the harness's limits (alias bombs, deep nesting, binary data, non-regular files, intervals below the harness minimum) is refused at load naming the file, key and line, in bounded time and memory.",
}


def describe(requirement_id: str) -> str:
    """Text of a requirement; raises KeyError naming the unknown ID."""
    try:
        return REQUIREMENTS[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement ID {requirement_id!r} (not in firmware_sim/requirements.py)") from None
