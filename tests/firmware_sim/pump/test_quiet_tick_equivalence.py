"""The quiet-tick fast path of run_until_s must behave exactly like the general event loop it shortcuts."""
from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import FlexSchedule, FlexStep, PumpFirmware
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.safety.limits import DrugLimits

H = 3600.0
SCHEDULE = FlexSchedule(tuple(FlexStep(float(h), 12.0 + 4.0 * (h % 3)) for h in range(24)))


def checkpoint(fw: PumpFirmware) -> tuple[float, ...]:
    """What the fast path accumulates: volumes, reservoir, and the gate's 24 h delivered-dose history."""
    return (fw.now_s, fw.reservoir_volume_ul, fw.commanded_volume_ul, fw.actuator_reported_volume_ul,
            fw._engine.delivered_in_last_s(24 * H))


def run_program(gain: float, stall_at_h: float | None, period_s: float) -> tuple[list, list, object, list, list]:
    clock = VirtualClock()
    actuator = InMemoryActuator(clock, gain=gain)
    sunk: list = []
    fw = PumpFirmware(FirmwareConfig(supervision_period_s=period_s), DrugLimits(), actuator, clock, sunk.append)
    checkpoints: list[tuple[float, ...]] = []
    run_until_s = fw.run_until_s

    def run_and_check(t_s: float) -> None:
        run_until_s(t_s)
        checkpoints.append(checkpoint(fw))

    fw.run_until_s = run_and_check
    decisions = [fw.refill(20000, 2000, 0), fw.prime()]
    fw.run_until_s(20 * H)
    decisions += [fw.configure_ptm(20, 10, 60, 6), fw.start_continuous(300)]
    fw.run_until_s(45 * H)
    decisions.append(fw.start_flex(SCHEDULE))
    for hour in (50.0, 50.5, 53.0, 70.25):
        fw.run_until_s(hour * H)
        decisions.append(fw.press_ptm())
    fw.run_until_s(75 * H)
    decisions.append(fw.clinician_bolus(40, 30))
    if stall_at_h is not None:
        fw.run_until_s(stall_at_h * H)
        actuator.fault = "motor_stall"
    fw.run_until_s(100 * H)
    decisions += [fw.suspend(), fw.refill(15000, 2000, fw.reservoir_volume_ul), fw.resume()]
    fw.run_until_s(130 * H)
    events = [e.to_record() for e in fw.events]
    assert events == [e.to_record() for e in sunk]
    return events, [d.to_record() for d in decisions], fw.delivery_profile(), list(actuator.commands), checkpoints


@pytest.mark.requirements("SR-SUP-001")
@pytest.mark.parametrize("gain, stall_at_h, period_s", [
    (1.0, None, 60.0),
    (0.8, None, 60.0),       # under-delivery caught by supervision
    (1.0, 80.0, 37.0),       # a stall mid-therapy, odd period so ticks fall between events
])
def test_fast_path_matches_the_general_loop_exactly(monkeypatch, gain, stall_at_h, period_s):
    fast = run_program(gain, stall_at_h, period_s)
    monkeypatch.setattr(PumpFirmware, "_run_quiet_ticks", lambda self, t_s: None)
    general = run_program(gain, stall_at_h, period_s)
    assert len(fast[0]) > 1000  # the program really ticked through days of therapy
    assert fast[0] == general[0]
    assert fast[1] == general[1]
    assert fast[2] == general[2]
    assert fast[3] == general[3]
    assert fast[4] == general[4]
