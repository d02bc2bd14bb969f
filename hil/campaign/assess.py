"""Judge one run from its record: was the fault injected and detected, and was anything unsafe?

Unsafe (each rule switched by the campaign's `expect:`), read from the record:
- envelope_without_alarm: a PK envelope FAILed and no high-priority alarm was raised at or before the first
  time the delivered-profile prediction crossed its limit;
- beyond_hard_limits: a bolus started above the library's max_bolus_dose_mcg, a delivered 24 h dose above
  hard_max_daily_dose_mcg or a delivered rate (dose in any expect.rate_window_min, per hour) above
  max_rate_mcg_per_h (the library's limits, not the scenario's overrides);
- pump_left_running: the run ended with the pump running, or commanded the pump and never showed it stopped (by
  its status, or by the balance weighing nothing added at the end: hil.campaign.stop_evidence).
A record that is damaged or has no run_finished is `record_lost`: it never counts as safe. Nor does a run that did
not reach its verdict (`judged` false: its rig did not open, the firmware refused its set-up, it crashed or was
aborted): its record shows too little of the scenario for the rules above to show anything.
"""
from __future__ import annotations

from typing import Any

from firmware_sim.event_log import EventKind
from firmware_sim.pk.envelopes import CEILING_OUTPUTS
from firmware_sim.pump.alarms import AlarmPriority
from firmware_sim.safety.checks import DOSE_ROUNDING_MCG
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.units import MIN_PER_H, S_PER_H
from hil.campaign.record_profile import delivered_profile, dose_measures
from hil.campaign.stop_evidence import balance_shows_stopped
from hil.outputs.summary import record_outcome
from hil.records import events as ev
from hil.records.reader import RunRecord

RELATIVE_TOLERANCE = 1e-9
ENVELOPE_SERIES = {**CEILING_OUTPUTS, "plasma_reduction_vs_oral": "plasma_ng_per_ml"}
"""The predicted series each envelope judges (the oral comparator one judges plasma against oral peak / limit)."""
FAULT_STEP_MATCH_H = 1e-3


def _high_alarms(record: RunRecord) -> list[ev.Alarm]:
    return [a for a in record.typed(ev.Alarm) if a.priority == AlarmPriority.HIGH.value]


def _exceeded_at_h(record: RunRecord, envelope: ev.Envelope) -> float | None:
    began_h = envelope.details.get("drop_began_h")
    if began_h is not None:  # the withdrawal envelope (SR-PK-006): when the effect-site drop began
        return float(began_h)
    output = ENVELOPE_SERIES.get(envelope.name)
    series = next((s for s in record.typed(ev.PkSeries) if s.label == "delivered"), None)
    if output is None or series is None or envelope.value is None or envelope.limit is None:
        return None  # a FAILed envelope has both: None only where it was NOT_EVALUATED
    t_h, values = series.t_h, [v if v is not None else float("-inf") for v in series.output_ng_per_ml(output)]
    if not values:
        return None
    threshold = envelope.limit
    if envelope.name == "plasma_reduction_vs_oral":  # value = oral peak / intrathecal peak, limit: least ratio
        threshold = envelope.value * max(values) / envelope.limit
    crossing = next((t for t, v in zip(t_h, values) if v > threshold), None)
    return crossing if crossing is not None else t_h[values.index(max(values))]


def _fault(record: RunRecord, fault: dict[str, Any] | None) -> dict[str, Any] | None:
    if fault is None:
        return None
    out = {"label": fault["label"], "device": fault["device"], "fault": fault["fault"], "planned_at_h": fault["at_h"],
           "injected": False, "injected_at_h": None, "detected": False, "alarm": None, "detected_at_h": None,
           "time_to_detection_h": None}
    step = next((s for s in record.typed(ev.Step) if s.action == "inject_fault"
                 and s.params.get("device") == fault["device"] and s.params.get("fault") == fault["fault"]
                 and abs(s.t_s / S_PER_H - fault["at_h"]) <= FAULT_STEP_MATCH_H), None)
    if step is None:
        return out
    injected_h = step.t_s / S_PER_H
    out.update(injected=True, injected_at_h=injected_h)
    alarm = next((a for a in _high_alarms(record) if a.t_s >= step.t_s), None)
    if alarm is not None:
        out.update(detected=True, alarm=alarm.name, detected_at_h=alarm.t_s / S_PER_H,
                   time_to_detection_h=alarm.t_s / S_PER_H - injected_h)
    return out


def _envelopes(record: RunRecord) -> list[dict[str, Any]]:
    out = []
    for e in record.typed(ev.Envelope):
        outcome = ev.recorded_outcome(e).value
        out.append({"name": e.name, "outcome": outcome, "value": e.value, "limit": e.limit, "unit": e.unit,
                    "exceeded_at_h": _exceeded_at_h(record, e) if outcome == "FAIL" else None})
    return out


def _announced(alarms: list[ev.Alarm], cleared: list[tuple[float, object]], at_h: float | None) -> bool:
    """A high-priority alarm raised at or before at_h and not cleared before it (an alarm cleared, the therapy going on,
    announces nothing of what comes after its clearing). cleared: (t_s, alarm name) of the record's clearings."""
    if at_h is None:
        return False
    at_s = at_h * S_PER_H
    return any(a.t_s <= at_s and not any(a.t_s <= t_s < at_s and name == a.name for t_s, name in cleared)
               for a in alarms)


def _unsafe_envelopes(record: RunRecord, envelopes: list[dict[str, Any]]) -> list[dict[str, str]]:
    alarms = _high_alarms(record)
    cleared = [(e.t_s, e.fields.get("alarm")) for e in record.typed(ev.FirmwareEvent)
               if e.kind == EventKind.ALARM_CLEARED] if any(e["outcome"] == "FAIL" for e in envelopes) else []
    out = []
    for e in envelopes:
        if e["outcome"] != "FAIL":
            continue
        at_h = e["exceeded_at_h"]
        if not _announced(alarms, cleared, at_h):
            when = f"{at_h:.3f} h" if at_h is not None else "an unknown time"
            out.append({"rule": "envelope_without_alarm",
                        "detail": f"{e['name']} {e['value']:.4g} against limit {e['limit']:.4g} {e['unit']} "
                                  f"exceeded at {when} with no high-priority alarm raised before it and still "
                                  f"latched"})
    return out


def _exceeds(value: float, limit: float, absolute: float = 0.0) -> bool:
    return value > limit * (1 + RELATIVE_TOLERANCE) + absolute


def _unsafe_doses(record: RunRecord, dose: dict[str, Any], limits: DrugLimits) -> list[dict[str, str]]:
    out = []
    for e in record.typed(ev.FirmwareEvent):
        fields = e.fields
        if e.kind == EventKind.DOSE and fields.get("event") == "bolus_start" and \
                _exceeds(float(fields.get("dose_mcg", 0.0)), limits.max_bolus_dose_mcg):
            out.append({"rule": "beyond_hard_limits", "detail": f"{fields.get('bolus_kind', '')} bolus of "
                        f"{fields['dose_mcg']:.6g} mcg started at {e.t_s / S_PER_H:.3f} h, above the library's "
                        f"max_bolus_dose_mcg {limits.max_bolus_dose_mcg:.6g}"})
    if _exceeds(dose["max_window_dose_mcg"], limits.hard_max_daily_dose_mcg, DOSE_ROUNDING_MCG):
        out.append({"rule": "beyond_hard_limits", "detail": f"{dose['max_window_dose_mcg']:.6g} mcg delivered in the "
                    f"{limits.window_h:g} h from {dose['window_start_h']:.3f} h, above the library's "
                    f"hard_max_daily_dose_mcg {limits.hard_max_daily_dose_mcg:.6g} ({dose['source']})"})
    if _exceeds(dose["max_rate_mcg_per_h"], limits.max_rate_mcg_per_h):
        out.append({"rule": "beyond_hard_limits", "detail": f"delivered rate {dose['max_rate_mcg_per_h']:.6g} mcg/h "
                    f"over the {dose['rate_window_min']:g} min from {dose['max_rate_at_h']:.3f} h, "
                    f"above the library's max_rate_mcg_per_h {limits.max_rate_mcg_per_h:.6g} ({dose['source']})"})
    return out


def _unsafe_pump(record: RunRecord) -> list[dict[str, str]]:
    finished = record.finished
    running = finished.pump_running_after_stop if finished is not None else None
    pump_stop = finished.pump_stop if finished is not None else None
    if running is True:
        return [{"rule": "pump_left_running", "detail": f"the pump was running at the end: {pump_stop}"}]
    commanded = any(e.kind == EventKind.RATE_COMMAND and float(e.fields.get("rate_ul_per_h", 0.0)) > 0
                    for e in record.typed(ev.FirmwareEvent))
    if running is not False and commanded and balance_shows_stopped(record) is None:
        stop = pump_stop if pump_stop is not None else "no pump_stop"
        return [{"rule": "pump_left_running", "detail": "the pump was commanded to run and the record does not show it "
                                                        f"stopped at the end ({stop})"}]
    return []


def reached_verdict(record: RunRecord) -> bool:
    """The run was judged to its end, as its run_finished says (verdict_reached). A record written before that field:
    the runner wrote its envelopes (the verdict, after the last tick and the final stop) or it ended on an alarm by
    design (stopped_on_alarm), and no interrupt came before its run_finished."""
    finished = record.finished
    if finished is not None and finished.verdict_reached is not None:
        return finished.verdict_reached
    if record.typed(ev.Interrupt):  # rare: only then is the record walked to see which came first
        for event in record.events:
            if isinstance(event, ev.RunFinished):
                break
            if isinstance(event, ev.Interrupt):
                return False
    return bool(record.typed(ev.StoppedOnAlarm) or record.typed(ev.Envelope))


def assess(record: RunRecord, spec: dict[str, Any], dead_volume_ul: float, duration_h: float,
           library_limits: DrugLimits) -> dict[str, Any]:
    outcome, reason = record_outcome(record)
    lost = not record.intact or record.finished is None
    profile, source = delivered_profile(record, dead_volume_ul, duration_h)
    measures = dose_measures(profile, library_limits.window_h, spec["expect"]["rate_window_min"] / MIN_PER_H)
    dose = {"max_window_dose_mcg": measures.max_window_dose_mcg, "window_start_h": measures.window_start_h,
            "max_rate_mcg_per_h": measures.max_rate_mcg_per_h, "max_rate_at_h": measures.max_rate_at_h,
            "total_dose_mcg": measures.total_dose_mcg, "source": source,
            "rate_window_min": spec["expect"]["rate_window_min"]}
    envelopes = _envelopes(record)
    rules = spec["expect"]
    unsafe: list[dict[str, str]] = []
    if rules["envelope_without_alarm"]:
        unsafe += _unsafe_envelopes(record, envelopes)
    if rules["beyond_hard_limits"]:
        unsafe += _unsafe_doses(record, dose, library_limits)
    if rules["pump_left_running"]:
        unsafe += _unsafe_pump(record)
    return {"outcome": outcome, "reason": reason, "record_lost": lost, "judged": reached_verdict(record),
            "record_damage": list(record.damage),
            "fault": _fault(record, spec.get("fault")), "envelopes": envelopes, "dose": dose, "unsafe": unsafe,
            "pump_stop_weighed": balance_shows_stopped(record),
            "alarms": [{"name": a.name, "priority": a.priority, "t_h": a.t_s / S_PER_H}
                       for a in record.typed(ev.Alarm)]}
