"""`itpump trumpet --json`: the IEC 60601-2-24 trumpet analysis of a balance log.

The outcome judges the analysis against the accuracy band (hil.outputs.plots_trumpet.TrumpetLimits: the mean
error A, and Ep per window where a limit is given): PASS within it, FAIL beyond it.
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
    """`itpump trumpet --json`: the analysis, judged against the accuracy band (max_mean_error_percent)."""
    reason: str
    csv: str
    rate_ul_per_h: float
    sample_interval_s: float
    analysis_start_min: float
    analysis_duration_min: float
    density_g_per_ml: float
    evaporation_rate_mg_per_h: float
    mean_error_percent: float
    max_mean_error_percent: float
    """The band |A| must stay within."""
    limits_source: str
    """Where the band comes from (the default's basis, or --max-mean-error-percent)."""
    windows: tuple[TrumpetWindowResult, ...]
    png: str | None = None
