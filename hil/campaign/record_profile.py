"""What reached the patient, rebuilt from a run record: the delivered profile and its dose measures.

The firmware events of the record are the firmware's log; the balance readings at the firmware's status ticks
(spaced as the runner spaced them, RunOptions.delivered_profile_resolution_s) scale it, as the runner's own PK
verdict does (hil.runner.pk_verdict). Dose measures are exact on the piecewise-constant profile:

    profile = delivered_profile(record, dead_volume_ul, duration_h)
    dose = dose_measures(profile, window_h=24.0)   # DoseMeasures(max_window_dose_mcg, ..., max_rate_mcg_per_h)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from firmware_sim.event_log import Event, EventKind
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.units import S_PER_H
from hil.records import events as ev
from hil.records.event_fields import RecordFormatError
from hil.records.reader import RunRecord
from hil.runner.options import ProfilePointSpacing, RunOptions
from hil.runner.pk_verdict import DeliveredSource, delivered_profiles

TICK_MATCH_S = 1e-6


_EVENT_KINDS = frozenset(EventKind)


def firmware_events(record: RunRecord) -> list[Event]:
    """The firmware's log as the record holds it. RecordFormatError for an event of a kind this firmware does not
    log: the profile rebuilt without it could show less delivered than the run delivered."""
    events = []
    for e in record.typed(ev.FirmwareEvent):
        if e.kind not in _EVENT_KINDS:
            raise RecordFormatError(
                f"{record.path}: firmware event at t={float(e.t_s):g} s has kind {str(e.kind)[:60]!r}, which this "
                f"firmware does not log (known: {', '.join(sorted(_EVENT_KINDS))}); the delivered profile is not "
                f"rebuilt without it")
        events.append(Event(float(e.t_s), EventKind(e.kind), dict(e.fields)))
    return events


def gravimetric_points(record: RunRecord, events: list[Event],
                       resolution_s: float = RunOptions.delivered_profile_resolution_s) -> dict[float, float]:
    """Balance volumes at status ticks, at least resolution_s apart (the runner's delivered-profile points)."""
    ticks = sorted(e.t_s for e in events if e.kind == EventKind.STATUS)
    points: dict[float, float] = {}
    last_s = -math.inf
    for sample in record.typed(ev.VolumeSample):
        t_s, volume = float(sample.t_s), sample.gravimetric_ul
        if volume is None or sample.after_pump_stop:
            continue
        i = int(np.searchsorted(ticks, t_s - TICK_MATCH_S))
        on_tick = i < len(ticks) and abs(ticks[i] - t_s) <= TICK_MATCH_S
        if on_tick and t_s - last_s >= resolution_s - TICK_MATCH_S:
            points[ticks[i]] = float(volume)
            last_s = t_s
    return points


def delivered_profile(record: RunRecord, dead_volume_ul: float,
                      duration_h: float) -> tuple[DeliveryProfile, DeliveredSource]:
    """(profile at the catheter tip, what it was scaled by)."""
    events = firmware_events(record)
    started = record.started
    period_s = started.supervision_period_s if started is not None and started.supervision_period_s is not None \
        else FirmwareConfig.supervision_period_s  # older records' run_started lacks it
    spacing = ProfilePointSpacing.of(RunOptions.delivered_profile_resolution_s, RunOptions.delivered_profile_max_wait_s,
                                     period_s)
    delivered, _programmed, source = delivered_profiles(events, dead_volume_ul, duration_h * S_PER_H,
                                                        gravimetric_points(record, events) or None, spacing)
    return delivered, source


@dataclass(frozen=True)
class DoseMeasures:
    max_window_dose_mcg: float
    window_start_h: float
    max_rate_mcg_per_h: float
    """The largest dose in any rate window, per hour (a rate cannot be measured more finely than the balance
    points that scale the profile)."""
    max_rate_at_h: float
    total_dose_mcg: float


def _cumulative(profile: DeliveryProfile) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints (h) and the dose delivered up to each (mcg); overlapping segments add up."""
    segments = profile.segments
    if not segments:
        return np.zeros(1), np.zeros(1)
    starts = np.array([s.start_h for s in segments])
    ends = np.array([s.end_h for s in segments])
    rates = np.array([s.rate_mcg_per_h for s in segments])
    points = np.unique(np.concatenate([starts, ends]))
    delta = np.zeros(len(points))
    np.add.at(delta, np.searchsorted(points, starts), rates)
    np.add.at(delta, np.searchsorted(points, ends), -rates)
    summed = np.cumsum(delta)[:-1]
    return points, np.concatenate([[0.0], np.cumsum(summed * np.diff(points))])


def max_window_dose(profile: DeliveryProfile, window_h: float) -> tuple[float, float]:
    """(largest dose in any window of window_h hours, its start): exact, as the dose is piecewise linear in time
    (instant boluses are steps) and a window's dose is largest when one of its ends is at a breakpoint."""
    points, cumulative = _cumulative(profile)
    boluses = [(b.t_h, b.dose_mcg) for b in profile.instant_boluses]

    def dose_until(t_h: np.ndarray, inclusive: bool) -> np.ndarray:
        dose = np.interp(t_h, points, cumulative)
        for at_h, dose_mcg in boluses:
            dose = dose + dose_mcg * ((t_h >= at_h) if inclusive else (t_h > at_h))
        return dose

    edges = np.concatenate([points, [t for t, _ in boluses]])
    candidates = np.unique(np.concatenate([edges, edges - window_h]))
    window = dose_until(candidates + window_h, True) - dose_until(candidates, False)
    best = int(np.argmax(window))
    return float(window[best]), float(candidates[best])


def dose_measures(profile: DeliveryProfile, window_h: float, rate_window_h: float) -> DoseMeasures:
    dose, start_h = max_window_dose(profile, window_h)
    rate_dose, rate_start_h = max_window_dose(profile, rate_window_h)
    return DoseMeasures(dose, start_h, rate_dose / rate_window_h, rate_start_h, profile.total_dose_mcg())
