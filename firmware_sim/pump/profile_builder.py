"""Rebuild what reached the catheter tip from the firmware log.

Flow at the pump outlet is the commanded rate, scaled in each interval between two status reads so
that its volume equals the actuator-reported volume (a stalled actuator delivers nothing; one running
while commanded to stop adds a uniform flow). Concentration at the tip follows plug flow through the
dead volume, so nothing counts before priming reached the tip and a concentration change arrives
one dead volume after the refill; with mixing_tanks, the tanks-in-series mixing model (catheter_mixing.py) instead.
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence

from firmware_sim.event_log import Event, EventKind
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.pump.catheter_mixing import MixingTrack
from firmware_sim.pump.concentration import ConcentrationTrack
from firmware_sim.units import S_PER_H, UL_PER_ML
import itertools


def _commanded_ul(changes_t: list[float], changes_rate: list[float], a_s: float, b_s: float) -> float:
    volume_ul, i = 0.0, max(bisect.bisect_right(changes_t, a_s) - 1, 0)
    t = a_s
    while t < b_s:
        nxt = changes_t[i + 1] if i + 1 < len(changes_t) else b_s
        end = min(nxt, b_s)
        volume_ul += changes_rate[i] * (end - t) / S_PER_H
        t, i = end, i + 1
    return volume_ul


def build_delivery_profile(events: Sequence[Event], dead_volume_ul: float, end_s: float,
                           mixing_tanks: int | None = None) -> DeliveryProfile:
    """mixing_tanks None: plug flow; else the number of tanks in series the dead volume mixes as."""
    rates = [(e.t_s, float(e.fields["rate_ul_per_h"])) for e in events if e.kind == EventKind.RATE_COMMAND]
    if not rates:
        return DeliveryProfile()
    changes_t, changes_rate = [t for t, _ in rates], [r for _, r in rates]
    start_s = changes_t[0]
    statuses = [(start_s, 0.0)]
    for e in events:
        if e.kind == EventKind.STATUS and e.t_s > start_s:
            if e.t_s == statuses[-1][0]:  # two reads at one moment: the later stands (no interval between them)
                statuses.pop()
            statuses.append((e.t_s, float(e.fields["delivered_ul"])))
    # (interval end, scale of commanded flow, extra flow uL/h) for each status interval
    status_ends, scales, extras = [], [], []
    for (ta, a_ul), (tb, b_ul) in itertools.pairwise(statuses):
        commanded = _commanded_ul(changes_t, changes_rate, ta, tb)
        delivered = max(b_ul - a_ul, 0.0)
        status_ends.append(tb)
        if commanded > 1e-12:
            scales.append(delivered / commanded)
            extras.append(0.0)
        else:
            scales.append(0.0)
            extras.append(delivered / (tb - ta) * S_PER_H)
    refills = [(e.t_s, float(e.fields["conc_mcg_per_ml"])) for e in events if e.kind == EventKind.REFILL]
    track = ConcentrationTrack(dead_volume_ul) if mixing_tanks is None else MixingTrack(dead_volume_ul, mixing_tanks)
    for t, conc in refills:
        if t <= start_s:
            track.fill(0.0, conc)
    breakpoints = sorted({t for t in changes_t + status_ends + [t for t, _ in refills] + [end_s]
                          if start_s <= t <= end_s} | {start_s})
    q_ul = 0.0
    segments: list[list[float]] = []
    refill_index = sum(1 for t, _ in refills if t <= start_s)
    for a_s, b_s in itertools.pairwise(breakpoints):
        while refill_index < len(refills) and refills[refill_index][0] <= a_s:
            track.fill(q_ul, refills[refill_index][1])
            refill_index += 1
        k = bisect.bisect_right(status_ends, a_s)
        scale, extra = (scales[k], extras[k]) if k < len(status_ends) else (1.0, 0.0)
        flow = changes_rate[bisect.bisect_right(changes_t, a_s) - 1] * scale + extra
        if flow <= 0:
            continue
        dq_ul = flow * (b_s - a_s) / S_PER_H
        for q0, q1, conc in track.tip_segments(q_ul, q_ul + dq_ul):
            t0 = a_s + (q0 - q_ul) / flow * S_PER_H
            t1 = a_s + (q1 - q_ul) / flow * S_PER_H
            if conc > 0 and t1 - t0 > 1e-9:
                _append_merged(segments, t0, t1, flow * conc / UL_PER_ML)
        q_ul += dq_ul
    return DeliveryProfile(segments=tuple(InfusionSegment(t0 / S_PER_H, (t1 - t0) / S_PER_H, rate)
                                          for t0, t1, rate in segments))


def _append_merged(segments: list[list[float]], t0: float, t1: float, rate_mcg_per_h: float) -> None:
    if segments:
        last = segments[-1]
        if abs(last[1] - t0) < 1e-9 and abs(last[2] - rate_mcg_per_h) <= 1e-12 * max(1.0, rate_mcg_per_h):
            last[1] = t1
            return
    segments.append([t0, t1, rate_mcg_per_h])
