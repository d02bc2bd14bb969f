import pytest

from firmware_sim.clock import VirtualClock, WallClock


def test_virtual_clock_jumps_forward_without_waiting():
    clock = VirtualClock()
    clock.sleep_until_s(86_400.0 * 30)
    assert clock.now_s() == 86_400.0 * 30


def test_virtual_clock_never_runs_backwards():
    clock = VirtualClock(start_s=100.0)
    clock.sleep_until_s(50.0)
    assert clock.now_s() == 100.0
    with pytest.raises(ValueError, match="backwards"):
        clock.advance_s(-1.0)


def test_wall_clock_is_monotonic_and_sleeps_to_target():
    clock = WallClock()
    t0 = clock.now_s()
    clock.sleep_until_s(t0 + 0.02)
    assert clock.now_s() >= t0 + 0.02
