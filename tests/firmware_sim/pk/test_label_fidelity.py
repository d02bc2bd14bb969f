"""Every label number of issue 2 on the default adult 70 kg parameters."""
import numpy as np
import pytest

from tools.biophase_fit import LABEL_PD_WINDOWS_H
from firmware_sim.pk.pd_timing import pd_timings
from firmware_sim.pk.predict import predict
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment

ONE_MIN_H = 1.0 / 60.0


def bolus_profile(dose_mcg: float) -> DeliveryProfile:
    return DeliveryProfile(segments=(InfusionSegment(0.0, ONE_MIN_H, dose_mcg / ONE_MIN_H),))


def infusion_profile(rate_mcg_per_day: float, hours: float) -> DeliveryProfile:
    return DeliveryProfile(segments=(InfusionSegment(0.0, hours, rate_mcg_per_day / 24.0),))


@pytest.mark.parametrize("dose_mcg", [50.0, 100.0])
def test_bolus_half_life_and_clearance(dose_mcg):
    t = np.arange(0, 400 * 60 + 1) / 60.0
    lumbar = predict(bolus_profile(dose_mcg), t).lumbar_csf_ng_per_ml
    first_4h = (t >= ONE_MIN_H) & (t <= 4.0)
    slope = np.polyfit(t[first_4h], np.log(lumbar[first_4h]), 1)[0]
    assert np.log(2) / -slope == pytest.approx(1.51, abs=0.05)
    auc_mcg_h_per_ml = np.trapezoid(lumbar, t) / 1000.0
    assert dose_mcg / auc_mcg_h_per_ml == pytest.approx(30.0, abs=1.5)


def test_infusion_clearance_and_gradient():
    rate = 500.0
    end = predict(infusion_profile(rate, 2000.0), np.array([0.0, 1000.0]))
    lumbar, cisternal = end.lumbar_csf_ng_per_ml[-1], end.cisternal_csf_ng_per_ml[-1]
    assert (rate / 24.0) / (lumbar / 1000.0) == pytest.approx(30.0, abs=1.5)
    assert lumbar / cisternal == pytest.approx(4.0, abs=0.2)


@pytest.mark.parametrize("rate_mcg_per_day", [100.0, 200.0, 400.0, 800.0])
def test_steady_state_plasma_within_0_to_5(rate_mcg_per_day):
    plasma = predict(infusion_profile(rate_mcg_per_day, 2000.0), np.array([0.0, 1000.0])).plasma_ng_per_ml[-1]
    assert 0.0 < plasma <= 5.0
    assert plasma == pytest.approx(rate_mcg_per_day / 24.0 / 8.0, rel=1e-6)  # R / CLs closed form


def test_pd_timings_within_label_windows():
    timings = pd_timings()
    for name, (lo, hi) in LABEL_PD_WINDOWS_H.items():
        assert lo <= getattr(timings, name) <= hi, f"{name} = {getattr(timings, name):.3f} h outside {lo}-{hi} h"
