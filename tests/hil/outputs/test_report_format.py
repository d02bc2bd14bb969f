"""Units, limits and times as people write them; the trumpet acceptance limits."""
from __future__ import annotations

import numpy as np
import pytest

from hil.gravimetry.trumpet import TrumpetResult, TrumpetWindow, TrumpetConfig
from hil.outputs.plots_trumpet import SYNCHROMED_ACCURACY_PERCENT, TrumpetLimits, plot_trumpet
from hil.outputs.report_format import hours_text, limit_text, unit_label, value_text
from hil.records import events as ev


@pytest.mark.parametrize("unit, label", [("ng_per_ml", "ng/mL"), ("mcg_per_day", "mcg/day"), ("ul", "uL"),
                                         ("ul_per_h", "uL/h"), ("ratio", "x"), ("furlongs_per_week", "furlongs/week")])
def test_unit_labels(unit, label):
    assert unit_label(unit) == label


def test_limits_read_with_their_direction():
    assert limit_text("plasma_ceiling", 5.0, "ng_per_ml") == "<= 5 ng/mL"
    assert limit_text("lumbar_csf_ceiling", 3000.0, "ng_per_ml") == "<= 3000 ng/mL"
    assert limit_text("plasma_reduction_vs_oral", 100.0, "ratio") == ">= 100x"
    assert limit_text("plasma_ceiling", None, "ng_per_ml") == ""
    assert value_text(None, "ng_per_ml") == "not evaluated"


def test_hours_have_two_decimals():
    assert hours_text(26.503456) == "26.50" and hours_text(None) == ""


def result(mean_error_percent: float, ep_max: float) -> TrumpetResult:
    windows = (TrumpetWindow(2.0, 4, 117, ep_max, -ep_max), TrumpetWindow(31.0, 62, 59, 1.0, -1.0))
    return TrumpetResult(8.0, mean_error_percent, windows, TrumpetConfig(), np.arange(1.0, 11.0) * 30.0,
                         np.full(10, 8.0))


def test_trumpet_limits_default_to_the_implant_accuracy_band_and_are_configurable():
    assert TrumpetLimits().mean_error_percent == SYNCHROMED_ACCURACY_PERCENT
    assert TrumpetLimits().violations(result(-0.2, 44.0)) == []  # no per-window limit by default
    started = ev.RunStarted(run_id="r", scenario_name="s", rig_id="r", config_sha256={}, git_revision="g", seeds={},
                            tool_version="t", time_compression_factor=1.0, clock="virtual", started_utc="now",
                            trumpet_limits={"mean_error_percent": 5, "ep_percent_by_window_min": {"2": 20}})
    limits = TrumpetLimits.from_record(started)
    found = limits.violations(result(-6.0, 44.0))
    assert len(found) == 2 and "A = -6.00 %" in found[0] and "2 min window" in found[1]
    with pytest.raises(ValueError):
        TrumpetLimits(mean_error_percent=0)


def test_trumpet_plot_is_a_png_with_the_limits(tmp_path):
    written = []
    plot_trumpet(result(-0.2, 44.0), tmp_path / "t.png", tmp_path / "s.png", written,
                 TrumpetLimits(ep_percent_by_window_min={2.0: 20.0}))
    assert written == [tmp_path / "t.png", tmp_path / "s.png"]
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "t.png").stat().st_size > 10000
