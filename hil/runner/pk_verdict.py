"""PK predictions from the delivered and the programmed profile, and the envelopes on the delivered one.

The delivered profile is rebuilt from the firmware's log with the volume each supervision tick measured by
the balance (pump-reported where there is no balance); the programmed one with the commanded volume.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from collections.abc import Mapping, Sequence

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

PEAK_OUTPUTS = SITE_OUTPUTS


@dataclass(frozen=True)
class PkOutcome:
    delivered: Prediction
    programmed: Prediction
    delivered_source: str
    """"gravimetric" or "pump_reported": what the delivered profile was scaled by."""
    envelopes: tuple[EnvelopeResult, ...]
    sustained: DeliveryProfile | None = None
    """The tip profile the programs sustain (the withdrawal envelope's reference); None without programs."""

    def peak_differences(self) -> dict[str, dict[str, float]]:
        """Per output: delivered and programmed true peaks and the difference in percent of programmed."""
        out = {}
        for name in PEAK_OUTPUTS:
            delivered = self.delivered.peaks[name].value
            programmed = self.programmed.peaks[name].value
            percent = 100.0 * (delivered - programmed) / programmed if programmed > 0 else float("nan")
            out[name] = {"delivered": delivered, "programmed": programmed, "difference_percent": percent}
        return out


def _with_status_volumes(events: Sequence[Event], volume_at_tick: Mapping[float, float] | None) -> list[Event]:
    """The log with each status event's delivered_ul replaced: by the commanded volume (None) or a measurement."""
    rebuilt = []
    for event in events:
        if event.kind == EventKind.STATUS:
            if volume_at_tick is None:
                volume: float | None = float(event.fields["commanded_ul"])
            else:
                volume = volume_at_tick.get(event.t_s)
                if volume is None:
                    continue  # no measurement at this tick: the neighbouring ticks bracket it
            event = replace(event, fields={**event.fields, "delivered_ul": volume})
        rebuilt.append(event)
    return rebuilt


def delivered_profiles(events: Sequence[Event], dead_volume_ul: float, end_s: float,
                       gravimetric_at_tick: Mapping[float, float] | None,
                       mixing_tanks: int | None = None) -> tuple[DeliveryProfile, DeliveryProfile, str]:
    """(delivered, programmed, delivered_source); both through the same catheter (mixing_tanks None: plug flow)."""
    programmed = build_delivery_profile(_with_status_volumes(events, None), dead_volume_ul, end_s, mixing_tanks)
    if gravimetric_at_tick:
        delivered = build_delivery_profile(_with_status_volumes(events, gravimetric_at_tick), dead_volume_ul, end_s,
                                           mixing_tanks)
        return delivered, programmed, "gravimetric"
    return build_delivery_profile(events, dead_volume_ul, end_s, mixing_tanks), programmed, "pump_reported"


def evaluate_pk(events: Sequence[Event], dead_volume_ul: float, duration_h: float, weight_kg: float,
                age_group: str, step_h: float, gravimetric_at_tick: Mapping[float, float] | None,
                programs: ProgramTimeline | None = None, mixing_tanks: int | None = None) -> PkOutcome:
    """The envelopes on the delivered prediction; the withdrawal envelope compares it with the programs' (SR-PK-006)."""
    delivered, programmed, source = delivered_profiles(events, dead_volume_ul, duration_h * S_PER_H,
                                                       gravimetric_at_tick, mixing_tanks)
    t_h = np.linspace(0.0, duration_h, max(int(round(duration_h / step_h)), 1) + 1)
    params = BaclofenParams(weight_kg=weight_kg)
    delivered_prediction = predict(delivered, t_h, params)
    programmed_prediction = predict(programmed, t_h, params)
    sustained = programs.sustained_profile(duration_h * S_PER_H) if programs is not None else None
    sustained_prediction = predict(sustained, t_h, params) if sustained is not None and sustained.segments else None
    envelopes = evaluate_envelopes(delivered_prediction, AgeGroup(age_group)) + (
        withdrawal_envelope(delivered_prediction, sustained_prediction),)
    return PkOutcome(delivered_prediction, programmed_prediction, source, envelopes, sustained)
