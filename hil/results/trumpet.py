"""`itpump trumpet --json`: the IEC 60601-2-24 trumpet analysis of a balance log.

The outcome judges the mean error A against --max-mean-error-percent: PASS within it, FAIL beyond it, and
NOT_EVALUATED when no limit was given (the analysis alone judges nothing).
"""
from __future__ import annotations

from hil.results.base import OutcomeResult, ResultModel


class TrumpetWindowResult(ResultModel):
    window_min: float
    samples_per_window: int
    window_count: int
    ep_max_percent: float
    ep_min_percent: float


class TrumpetReport(OutcomeResult):
    """`itpump trumpet --json`: the analysis, and the mean error judged against max_mean_error_percent."""
    reason: str
    csv: str
    rate_ul_per_h: float
    sample_interval_s: float
    analysis_start_min: float
    analysis_duration_min: float
    density_g_per_ml: float
    evaporation_rate_mg_per_h: float
    mean_error_percent: float
    max_mean_error_percent: float | None
    windows: tuple[TrumpetWindowResult, ...]
    png: str | None = None
