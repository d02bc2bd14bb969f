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


def test_virtual_clock_runs_timed_actions_at_their_own_time_within_a_jump():
    clock = VirtualClock()
    seen: list[tuple[str, float]] = []
    clock.call_at(30.0, lambda: seen.append(("b", clock.now_s())))
    clock.call_at(10.0, lambda: seen.append(("a", clock.now_s())))
    cancel = clock.call_at(20.0, lambda: seen.append(("cancelled", clock.now_s())))
    cancel()

    def again() -> None:  # an action may schedule the next one inside the same jump
        seen.append(("again", clock.now_s()))
        if clock.now_s() < 60.0:
            clock.call_at(clock.now_s() + 25.0, again)
    clock.call_at(15.0, again)
    clock.advance_s(50.0)
    assert seen == [("a", 10.0), ("again", 15.0), ("b", 30.0), ("again", 40.0)]
    assert clock.now_s() == 50.0
    clock.sleep_until_s(70.0)
    assert seen[-1] == ("again", 65.0) and clock.now_s() == 70.0
