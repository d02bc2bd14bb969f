"""The withdrawal envelope [SR-PK-006]: under-delivery judged on the effect site, as grave as overdose.

Abrupt loss of intrathecal baclofen (boxed warning: high fever, altered mental status, rebound spasticity,
rhabdomyolysis, death; rebound within hours, severe withdrawal over 24-72 h) is judged on the biophase
(effect-site) concentration, the one the label's PD timings are measured on (pd_timing.py):

- `delivered`: the prediction from what reached the catheter tip (the run's delivered profile);
- `sustained`: the prediction from the running program alone, as programmed (basal continuous or flex rate at the
  tip, from each approved program to the next change or a clinician stop), kept through alarms and suspensions:
  the level the program sustains, and with it what the patient's body has come to expect.

The envelope fails when the delivered effect-site concentration stays below `min_sustained_fraction`
(default 0.5) of the sustained one for longer than `max_time_below_h` (default 6 h) [A]: the label's antispastic
effect appears 6-8 h after an infusion starts, and rebound starts within hours of a stop, so half the sustained
effect lost for 6 h is well inside the time an alarm has to act before severe withdrawal develops (24-72 h).
The value is the longest continuous time below (h); the details give when that drop began.

NOT_EVALUATED (value None) when there is no sustained program to compare against: no program ran, or it brought
less than EnvelopeLimits.min_dose_to_evaluate_mcg to the tip. Boluses are not part of the sustained level.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from firmware_sim.outcome import Outcome
from firmware_sim.pk.envelopes import ENVELOPE_NAMES, EnvelopeLimits, EnvelopeResult, check_limit
from firmware_sim.pk.predict import Prediction

WITHDRAWAL_ENVELOPE = "withdrawal"
RUN_ENVELOPE_NAMES: tuple[str, ...] = ENVELOPE_NAMES + (WITHDRAWAL_ENVELOPE,)
"""Every envelope a scenario run reports: the exposure envelopes of envelopes.py, then the withdrawal envelope."""
REQUIREMENT_IDS = ("SR-PK-006",)
UNIT = "h"


@dataclass(frozen=True)
class WithdrawalLimits:
    min_sustained_fraction: float = 0.5
    """The delivered effect-site concentration must stay at or above this fraction of the sustained one [A]."""
    max_time_below_h: float = 6.0
    """... or come back above it within this many hours [A]."""
    min_dose_to_evaluate_mcg: float = EnvelopeLimits().min_dose_to_evaluate_mcg
    """A program bringing less than this to the tip is no sustained program (NOT_EVALUATED)."""

    def __post_init__(self) -> None:
        fraction = self.min_sustained_fraction
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
            raise ValueError(f"WithdrawalLimits.min_sustained_fraction must be a number within (0, 1), "
                             f"got {fraction!r}")
        for name in ("max_time_below_h", "min_dose_to_evaluate_mcg"):
            check_limit("WithdrawalLimits", name, getattr(self, name))


@dataclass(frozen=True)
class Drop:
    """One continuous stretch with the delivered effect below the fraction of the sustained one."""

    began_h: float
    ended_h: float
    """The end of the prediction if it had not ended by then."""

    @property
    def duration_h(self) -> float:
        return self.ended_h - self.began_h


def _crossing_h(t0: float, t1: float, g0: float, g1: float) -> float:
    """Where g (delivered minus the threshold) crosses zero between two samples, linearly."""
    return t0 if g1 == g0 else t0 + (t1 - t0) * g0 / (g0 - g1)


def find_drops(t_h: np.ndarray, delivered: np.ndarray, sustained: np.ndarray, fraction: float) -> list[Drop]:
    """Every stretch with delivered < fraction x sustained, its ends interpolated between samples."""
    t = np.asarray(t_h, dtype=float)
    g = np.asarray(delivered, dtype=float) - fraction * np.asarray(sustained, dtype=float)
    scale = float(np.max(np.abs(sustained))) if len(t) else 0.0
    below = g < -1e-9 * scale  # float noise of two equal predictions is not a drop
    drops, start = [], None
    for i, is_below in enumerate(below):
        if is_below and start is None:
            start = t[0] if i == 0 else _crossing_h(t[i - 1], t[i], g[i - 1], g[i])
        elif not is_below and start is not None:
            drops.append(Drop(float(start), float(_crossing_h(t[i - 1], t[i], g[i - 1], g[i]))))
            start = None
    if start is not None:
        drops.append(Drop(float(start), float(t[-1])))
    return drops


def _not_evaluated(limits: WithdrawalLimits, why: str) -> EnvelopeResult:
    return EnvelopeResult(WITHDRAWAL_ENVELOPE, None, limits.max_time_below_h, UNIT, Outcome.NOT_EVALUATED,
                          f"not evaluated: {why}", REQUIREMENT_IDS)


def withdrawal_envelope(delivered: Prediction, sustained: Prediction | None,
                        limits: WithdrawalLimits | None = None) -> EnvelopeResult:
    """The longest time the delivered effect site stays below the fraction of the sustained one, against the limit."""
    limits = limits or WithdrawalLimits()
    if sustained is None:
        return _not_evaluated(limits, "no sustained program to compare against (no therapy program ran)")
    end_h = float(delivered.t_h[-1])
    program_mcg = sustained.profile.dose_until_mcg(end_h)
    if program_mcg < limits.min_dose_to_evaluate_mcg:
        return _not_evaluated(limits, f"no sustained program to compare against (the programs bring "
                                      f"{program_mcg:.4g} mcg to the tip by t={end_h:.3f} h, below "
                                      f"{limits.min_dose_to_evaluate_mcg:g} mcg)")
    if not np.array_equal(delivered.t_h, sustained.t_h):
        raise ValueError("withdrawal_envelope: the delivered and sustained predictions must share their sample times")
    series = (delivered.effect_ng_per_ml, sustained.effect_ng_per_ml)
    if not all(np.isfinite(s).all() for s in series):
        raise ValueError("withdrawal_envelope: an effect-site series is not finite: the prediction is invalid")
    fraction, limit = limits.min_sustained_fraction, limits.max_time_below_h
    drops = find_drops(delivered.t_h, *series, fraction)
    # the details are written to run records: their keys keep the names they were recorded under
    details = {"min_fraction_of_sustained": fraction, "drops": float(len(drops)),
               "total_time_below_h": float(sum(d.duration_h for d in drops))}
    if not drops:
        reason = (f"the delivered effect-site concentration stayed at or above {fraction:.0%} of the level the "
                  f"program sustains throughout 0-{end_h:.3f} h")
        return EnvelopeResult(WITHDRAWAL_ENVELOPE, 0.0, limit, UNIT, Outcome.PASS, reason, REQUIREMENT_IDS, details)
    longest = max(drops, key=lambda d: d.duration_h)
    first_too_long = next((d for d in drops if d.duration_h > limit), None)
    # under way at the end and short so far: censored, how long it lasts lies beyond the prediction (no PASS)
    censored = drops[-1] if first_too_long is None and math.isclose(drops[-1].ended_h, end_h) else None
    judged = first_too_long or censored or longest
    t_index = min(int(np.searchsorted(delivered.t_h, judged.began_h)), len(delivered.t_h) - 1)
    details.update(drop_began_h=judged.began_h, drop_ended_h=judged.ended_h,
                   sustained_effect_at_drop_ng_per_ml=float(sustained.effect_ng_per_ml[t_index]))
    ongoing = " (still below at the end of the prediction)" if math.isclose(judged.ended_h, end_h) else ""
    what = (f"the delivered effect-site concentration fell below {fraction:.0%} of the level the program sustains "
            f"at t={judged.began_h:.3f} h and stayed below for {judged.duration_h:.3g} h{ongoing}")
    if censored is not None:
        details["time_below_so_far_h"] = censored.duration_h
        reason = (f"not evaluated: the delivered effect-site concentration fell below {fraction:.0%} of the level the "
                  f"program sustains at t={censored.began_h:.3f} h and was still below at the end of the "
                  f"prediction, {censored.duration_h:.3g} h later: whether it stays within the {limit:g} h limit "
                  f"lies beyond the run (a run to at least {censored.began_h + limit:.3g} h would judge it)")
        return EnvelopeResult(WITHDRAWAL_ENVELOPE, None, limit, UNIT, Outcome.NOT_EVALUATED, reason, REQUIREMENT_IDS,
                              details)
    if first_too_long is None:
        reason = f"{what}, within the {limit:g} h limit (longest drop)"
        return EnvelopeResult(WITHDRAWAL_ENVELOPE, longest.duration_h, limit, UNIT, Outcome.PASS, reason,
                              REQUIREMENT_IDS, details)
    longest_note = "" if judged is longest else f"; the longest drop lasted {longest.duration_h:.3g} h"
    reason = f"withdrawal: {what}, longer than the {limit:g} h limit{longest_note}"
    return EnvelopeResult(WITHDRAWAL_ENVELOPE, longest.duration_h, limit, UNIT, Outcome.FAIL, reason,
                          REQUIREMENT_IDS, details)


def drop_began_h(result: EnvelopeResult) -> float | None:
    """When the judged drop of a withdrawal result began; None if it found none."""
    value = result.details.get("drop_began_h")
    return None if value is None else float(value)
