"""PK predictions from the delivered and the programmed profile, and the envelopes on the delivered one.

The delivered profile is rebuilt from the firmware's log with the volume each supervision tick measured by
the balance (pump-reported where there is no balance); the programmed one with the commanded volume. After the
balance's last reading the flow is the commanded one up to the end, as between readings; but when that unweighed
tail is longer than the readings are ever apart in a run whose balance answers (the balance stopped weighing), it
carries on from the last reading with the pump-reported volume instead (the commanded one is no measurement), and
the source says so (GRAVIMETRIC_THEN_PUMP_REPORTED).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from collections.abc import Mapping, Sequence
from enum import StrEnum

import numpy as np

from firmware_sim.event_log import Event, EventKind
from firmware_sim.pk.age_groups import AgeGroup
from firmware_sim.pk.envelopes import EnvelopeResult, evaluate_envelopes
from firmware_sim.pk.model import SITE_OUTPUTS
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.predict import Prediction, predict
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.pk.withdrawal import withdrawal_envelope
from firmware_sim.pump.program_timeline import ProgramTimeline
from firmware_sim.pump.profile_builder import build_delivery_profile
from firmware_sim.units import S_PER_H
from hil.runner.options import ProfilePointSpacing

PEAK_OUTPUTS = SITE_OUTPUTS


class DeliveredSource(StrEnum):
    """What the delivered profile was scaled by."""
    GRAVIMETRIC = "gravimetric"
    PUMP_REPORTED = "pump_reported"
    GRAVIMETRIC_THEN_PUMP_REPORTED = "gravimetric_then_pump_reported"
    """The balance stopped weighing before the end: its last reading carried on with the pump-reported volume."""


@dataclass(frozen=True)
class PkOutcome:
    delivered: Prediction
    programmed: Prediction
    delivered_source: DeliveredSource
    """What the delivered profile was scaled by."""
    envelopes: tuple[EnvelopeResult, ...]
    sustained: DeliveryProfile | None = None
    """The tip profile the programs sustain (the withdrawal envelope's reference); None without programs."""
    last_weighed_s: float | None = None
    """The status tick of the balance's last reading in the delivered profile (None: no balance readings)."""

    def peak_differences(self) -> dict[str, dict[str, float]]:
        """Per output: delivered and programmed true peaks and the difference in percent of programmed."""
        out = {}
        for name in PEAK_OUTPUTS:
            delivered = self.delivered.peaks[name].value
            programmed = self.programmed.peaks[name].value
            percent = 100.0 * (delivered - programmed) / programmed if programmed > 0 else float("nan")
            out[name] = {"delivered": delivered, "programmed": programmed, "difference_percent": percent}
        return out


def _with_status_volumes(events: Sequence[Event], volume_at_tick: Mapping[float, float] | None,
                         tail_spacing_s: float | None = None) -> list[Event]:
    """The log with each status event's delivered_ul replaced: by the commanded volume (None) or a measurement.
    tail_spacing_s: after the last measured tick, ticks at least that far apart carry the last measurement plus what
    the pump reported since (None: the ticks after it are dropped, the flow there is the commanded one)."""
    rebuilt = []
    last_s = max(volume_at_tick) if volume_at_tick else math.inf
    reported_at_last_ul: float | None = None
    carried_s = last_s
    for event in events:
        if event.kind == EventKind.STATUS:
            if volume_at_tick is None:
                volume: float | None = float(event.fields["commanded_ul"])
            elif event.t_s > last_s and tail_spacing_s is not None and reported_at_last_ul is not None:
                if event.t_s - carried_s < tail_spacing_s:
                    continue
                reported_since_ul = float(event.fields["delivered_ul"]) - reported_at_last_ul
                volume, carried_s = volume_at_tick[last_s] + reported_since_ul, event.t_s
            else:
                volume = volume_at_tick.get(event.t_s)
                if event.t_s == last_s:
                    reported_at_last_ul = float(event.fields["delivered_ul"])
                if volume is None:
                    continue  # no measurement at this tick: the neighbouring ticks bracket it
            event = replace(event, fields={**event.fields, "delivered_ul": volume})
        rebuilt.append(event)
    return rebuilt


def delivered_profiles(events: Sequence[Event], dead_volume_ul: float, end_s: float,
                       gravimetric_at_tick: Mapping[float, float] | None, spacing: ProfilePointSpacing,
                       mixing_tanks: int | None = None) -> tuple[DeliveryProfile, DeliveryProfile, DeliveredSource]:
    """(delivered, programmed, delivered_source); both through the same catheter (mixing_tanks None: plug flow).
    spacing: how the balance points were spaced; a last status tick more than spacing.longest_gap_s after the last
    one means the balance stopped weighing, and the tail follows the pump-reported volume at points
    spacing.resolution_s apart (a pump counting whole uL would make a spiky profile tick by tick)."""
    programmed = build_delivery_profile(_with_status_volumes(events, None), dead_volume_ul, end_s, mixing_tanks)
    if gravimetric_at_tick:
        last_tick_s = max((e.t_s for e in events if e.kind == EventKind.STATUS), default=-math.inf)
        stopped = last_tick_s - max(gravimetric_at_tick) > spacing.longest_gap_s
        volumes = _with_status_volumes(events, gravimetric_at_tick, spacing.resolution_s if stopped else None)
        delivered = build_delivery_profile(volumes, dead_volume_ul, end_s, mixing_tanks)
        return delivered, programmed, (DeliveredSource.GRAVIMETRIC_THEN_PUMP_REPORTED if stopped
                                       else DeliveredSource.GRAVIMETRIC)
    return (build_delivery_profile(events, dead_volume_ul, end_s, mixing_tanks), programmed,
            DeliveredSource.PUMP_REPORTED)


def evaluate_pk(events: Sequence[Event], dead_volume_ul: float, duration_h: float, weight_kg: float,
                age_group: str, step_h: float, gravimetric_at_tick: Mapping[float, float] | None,
                spacing: ProfilePointSpacing, programs: ProgramTimeline | None = None,
                mixing_tanks: int | None = None) -> PkOutcome:
    """The envelopes on the delivered prediction; the withdrawal envelope compares it with the programs' (SR-PK-006)."""
    delivered, programmed, source = delivered_profiles(events, dead_volume_ul, duration_h * S_PER_H,
                                                       gravimetric_at_tick, spacing, mixing_tanks)
    t_h = np.linspace(0.0, duration_h, max(int(round(duration_h / step_h)), 1) + 1)
    params = BaclofenParams(weight_kg=weight_kg)
    delivered_prediction = predict(delivered, t_h, params)
    programmed_prediction = predict(programmed, t_h, params)
    sustained = programs.sustained_profile(duration_h * S_PER_H) if programs is not None else None
    sustained_prediction = predict(sustained, t_h, params) if sustained is not None and sustained.segments else None
    envelopes = evaluate_envelopes(delivered_prediction, AgeGroup(age_group)) + (
        withdrawal_envelope(delivered_prediction, sustained_prediction),)
    return PkOutcome(delivered_prediction, programmed_prediction, source, envelopes, sustained,
                     max(gravimetric_at_tick) if gravimetric_at_tick else None)
