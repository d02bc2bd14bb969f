"""Whether the balance shows that a pump stopped although the harness could neither stop it nor read that it had
(a pulled cable: the device's own dead-host stop, the NE-1000 safe-mode watchdog, the GRBL motion horizon or the
Harvard target volume kept a dead-host horizon ahead (SR-DRV-003, SR-DRV-010, SR-DRV-013), is what stops it).
Measured or nothing: without enough weighing at the end of the run there is no evidence.
"""
from __future__ import annotations

from firmware_sim.event_log import EventKind
from firmware_sim.units import S_PER_H, UL_PER_ML
from hil.records import events as ev
from hil.records.reader import RunRecord

STOP_WINDOW_H = 0.5
"""Trailing stretch of the run the balance must have weighed (stable readings) to show the pump stopped."""
MIN_SAMPLES = 3
TOLERANCE_UL = 0.2
"""Two readability steps of a 0.1 mg balance, in uL of water."""
TOLERANCE_FRACTION = 0.05
"""Of what the last commanded rate would have added over the window."""
DISTINGUISHABLE_FACTOR = 4.0
"""The window tells running from stopped only when the rate would have added this many tolerances."""


def balance_shows_stopped(record: RunRecord) -> str | None:
    """Why the record shows the pump stopped at the end of the run by weighing, or None when it does not."""
    started = record.started
    density_g_per_ml = started.balance_density_g_per_ml if started is not None else None
    samples = [(s.t_s, s.mass_g) for s in record.typed(ev.BalanceSample) if s.stable]
    rates = [float(e.fields["rate_ul_per_h"]) for e in record.typed(ev.FirmwareEvent)
             if e.kind == EventKind.RATE_COMMAND and float(e.fields.get("rate_ul_per_h", 0.0)) > 0]
    if not density_g_per_ml or not samples or not rates:
        return None
    end_s = samples[-1][0]
    window = [(t_s, mass_g) for t_s, mass_g in samples if t_s >= end_s - STOP_WINDOW_H * S_PER_H]
    span_h = (window[-1][0] - window[0][0]) / S_PER_H
    if len(window) < MIN_SAMPLES or span_h < 0.9 * STOP_WINDOW_H:
        return None
    rate_ul_per_h = rates[-1]
    expected_ul = rate_ul_per_h * span_h
    tolerance_ul = max(TOLERANCE_UL, TOLERANCE_FRACTION * expected_ul)
    if expected_ul < DISTINGUISHABLE_FACTOR * tolerance_ul:
        return None
    added_ul = (max(mass_g for _, mass_g in window) - window[0][1]) / density_g_per_ml * UL_PER_ML
    if added_ul > tolerance_ul:
        return None
    return (f"the balance weighed at most {added_ul:.2f} uL added over the last {span_h:.2f} h of the run, where the "
            f"last commanded rate ({rate_ul_per_h:g} uL/h) would have added {expected_ul:.1f} uL: the pump had stopped")
