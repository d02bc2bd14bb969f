import tracemalloc

import numpy as np
import pytest

from firmware_sim.pk.population import sample_population
from firmware_sim.pk.population_series import population_percentiles
from firmware_sim.pk.predict import predict_population
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment, InstantBolus

# Hourly rate changes for 3 days, a daily bolus over 1 min and one instant bolus between samples.
RATES = 400.0 / 24.0 * np.exp(0.3 * np.sin(np.arange(72)))
PROFILE = DeliveryProfile(
    segments=tuple(InfusionSegment(float(h), 1.0, float(r)) for h, r in enumerate(RATES))
    + tuple(InfusionSegment(24.0 * d + 8.0, 1 / 60, 3000.0) for d in range(3)),
    instant_boluses=(InstantBolus(30.5, 25.0),))
T_H = np.arange(0.0, 72.5, 0.5)


def test_chunked_percentiles_equal_unchunked_exactly():
    batch = sample_population(301, seed=4)
    full = predict_population(PROFILE, T_H, batch)
    expected, expected_peaks = full.percentiles((5, 50, 95)), full.sampled_peaks()
    for chunk, block in ((7, 3 * 8 * 4 * 301), (64, 1), (1000, 1 << 30)):
        summary = population_percentiles(PROFILE, T_H, batch, (5, 50, 95), chunk_patients=chunk, block_bytes=block)
        for name in expected:
            assert np.array_equal(summary.percentiles[name], expected[name]), (name, chunk, block)
            assert np.array_equal(summary.sampled_peaks[name], expected_peaks[name]), (name, chunk, block)
    assert summary.percentiles["plasma_ng_per_ml"].shape == (3, len(T_H)) and summary.n_patients == 301


def test_peak_memory_is_bounded_by_the_block_not_the_population():
    """5000 patients x 721 hourly samples x 4 outputs is 115 MB unchunked; chunked it stays near the block."""
    batch = sample_population(5000, seed=2)
    t_h = np.arange(0.0, 721.0)
    profile = DeliveryProfile(segments=(InfusionSegment(0.0, 720.0, 20.0),))
    unchunked_bytes = 4 * len(t_h) * batch.n_patients * 8
    tracemalloc.start()
    try:
        summary = population_percentiles(profile, t_h, batch, chunk_patients=1000, block_bytes=4 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 << 20 < unchunked_bytes / 4, peak
    p = summary.percentiles["lumbar_csf_ng_per_ml"]
    assert np.all(p[0] <= p[1]) and np.all(p[1] <= p[2]) and p[1, -1] > 0


@pytest.mark.parametrize("kwargs, message", [(dict(chunk_patients=0), "chunk_patients"),
                                             (dict(block_bytes=-1), "block_bytes")])
def test_bad_sizes_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        population_percentiles(PROFILE, T_H, sample_population(3, seed=1), **kwargs)
