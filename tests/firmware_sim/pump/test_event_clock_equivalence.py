"""The event clock (run_until_s sleeping from event to event, the ticks before the next other event one after the
other) must behave exactly like stepping: every tick through the general event loop, or run_until_s called in
steps shorter than a supervision period. Same events, decisions, profile, commands, status reads and bookkeeping."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.ports import ActuatorStatus
from firmware_sim.pump.alarms import AlarmName
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import FlexSchedule, FlexStep, PumpFirmware
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.pump.scheduler import Scheduler
from firmware_sim.safety.limits import DrugLimits

H = 3600.0
SCHEDULE = FlexSchedule(tuple(FlexStep(float(h), 12.0 + 4.0 * (h % 3)) for h in range(24)))


@dataclass(frozen=True)
class Case:
    gain: float = 1.0
    stall_at_h: float | None = None
    period_s: float = 60.0
    hard_max_mcg: float = 1200.0
    tolerance_fraction: float = 0.145
    watchdog_s: float | None = None
    link_lost_h: tuple[float, float] | None = None
    """(from_h, to_h): the actuator cannot be reached in between."""


def checkpoint(fw: PumpFirmware) -> tuple[float, ...]:
    """What the event clock accumulates: volumes, reservoir, and the gate's 24 h delivered-dose history."""
    return (fw.now_s, fw.reservoir_volume_ul, fw.commanded_volume_ul, fw.actuator_reported_volume_ul,
            fw.reservoir_balance_error_ul, fw.engine.delivered_in_last_s(24 * H))


def run_program(case: Case, stepping: bool = False) -> tuple:
    """stepping: on the way to each target run_until_s is called halfway between every two ticks, else once per
    target."""
    clock = VirtualClock()
    actuator = InMemoryActuator(clock, gain=case.gain, watchdog_s=case.watchdog_s)
    sunk: list = []
    limits = DrugLimits(hard_max_daily_dose_mcg=case.hard_max_mcg,
                        soft_max_daily_dose_mcg=min(800.0, case.hard_max_mcg),
                        cerebral_soft_max_daily_dose_mcg=min(703.0, case.hard_max_mcg))
    # the exposure check off: a tolerance of 10 (supervision blind) would have it judge plans 11x fast and refuse them
    config = FirmwareConfig(supervision_period_s=case.period_s, delivery_tolerance_fraction=case.tolerance_fraction,
                            exposure_limits=None)
    fw = PumpFirmware(config, limits, actuator, clock, sunk.append)
    checkpoints: list[tuple[float, ...]] = []
    run_until_s = fw.run_until_s

    def run_and_check(t_s: float) -> None:
        if stepping:
            period_s = case.period_s
            k = int(fw.now_s // period_s)
            while (k + 0.5) * period_s < t_s:
                if (k + 0.5) * period_s > fw.now_s:
                    run_until_s((k + 0.5) * period_s)
                k += 1
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
    if case.stall_at_h is not None:
        fw.run_until_s(case.stall_at_h * H)
        actuator.fault = "motor_stall"
    if case.link_lost_h is not None:
        fw.run_until_s(case.link_lost_h[0] * H)
        actuator.communication_lost = True
        fw.run_until_s(case.link_lost_h[1] * H)
        actuator.communication_lost = False
    fw.run_until_s(100 * H)
    decisions += [fw.suspend(), fw.refill(15000, 2000, fw.reservoir_volume_ul)]
    fw.run_until_s(106 * H)  # suspended: ticks at rate 0
    decisions.append(fw.resume())
    fw.run_until_s(130 * H)
    events = [e.to_record() for e in fw.events]
    assert events == [e.to_record() for e in sunk]
    return (events, [d.to_record() for d in decisions], fw.delivery_profile(), list(actuator.commands), checkpoints,
            actuator.status_reads, actuator.watchdog_stops_s, [a.name for a in fw.active_alarms])


CASES = {
    "steady": Case(),
    "under-delivery alarm": Case(gain=0.8),
    "stall, odd period": Case(stall_at_h=80.0, period_s=37.0),
    "dose near the hard limit, breach after the fact": Case(gain=1.12, hard_max_mcg=420.0, tolerance_fraction=10.0),
    "link lost, watchdog stops the actuator": Case(watchdog_s=600.0, link_lost_h=(80.0, 81.0)),
}


@pytest.mark.requirements("SR-SUP-001", "SR-SUP-002")
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_event_clock_matches_stepping_tick_by_tick_exactly(monkeypatch, case):
    in_run: list[int] = []
    run_ticks = Scheduler._run_ticks

    def counting_run_ticks(self: Scheduler, limit_s: float, end_s: float) -> None:
        reads = self._engine.actuator.status_reads  # type: ignore[attr-defined]
        run_ticks(self, limit_s, end_s)
        in_run.append(self._engine.actuator.status_reads - reads)  # type: ignore[attr-defined]

    monkeypatch.setattr(Scheduler, "_run_ticks", counting_run_ticks)
    event_clock = run_program(case)
    stepped = run_program(case, stepping=True)  # stops between every two ticks
    monkeypatch.setattr(Scheduler, "_run_ticks", lambda self, limit_s, end_s: None)
    general = run_program(case)
    status_reads = general[5]
    assert status_reads > 1000 and sum(in_run) > status_reads / 2  # the event clock ran most ticks one after another
    for got, by_step, expected in zip(event_clock, stepped, general):
        assert got == expected
        assert by_step == expected
    if case.hard_max_mcg < 1200.0:
        assert AlarmName.DOSE_LIMIT_BREACH.value in [e["alarm"] for e in general[0] if e["kind"] == "alarm"]
    if case.watchdog_s is not None:
        assert general[6]  # the watchdog did stop the actuator while the link was down


class JumpingClock(VirtualClock):
    """A clock another party moves on: every sleep lands 1 s late."""

    def sleep_until_s(self, t_s: float) -> None:
        super().sleep_until_s(t_s + 1.0)


def continuous_for_a_day(rig) -> PumpFirmware:
    """Primed at 2000 mcg/mL, then 300 mcg/day from 6 h to 30 h."""
    fw = rig.primed(conc_mcg_per_ml=2000.0)
    fw.run_until_s(6 * H)
    assert fw.start_continuous(300).approved
    fw.run_until_s(30 * H)
    return fw


def test_event_clock_leaves_a_clock_moved_by_another_party_to_the_general_loop(make_rig):
    rig = make_rig(clock=JumpingClock())
    fw = continuous_for_a_day(rig)
    assert fw.active_alarms == () and fw.reservoir_balance_error_ul == pytest.approx(0.0, abs=1e-6)
    assert fw.now_s >= 30 * H and rig.actuator.status_reads > 30 * 60 * 0.9


class PlainActuator:
    """Only what ports.Actuator declares, nothing a simulation could add."""

    def __init__(self, clock: VirtualClock, gain: float = 1.0) -> None:
        self._inner = InMemoryActuator(clock, gain=gain)

    def command_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        self._inner.command_rate_ul_per_h(rate_ul_per_h)

    def stop(self) -> None:
        self._inner.stop()

    def read_status(self) -> ActuatorStatus:
        return self._inner.read_status()

    @property
    def status_reads(self) -> int:
        return self._inner.status_reads


def test_every_actuator_takes_the_same_path_and_is_read_every_tick(make_rig):
    results: list[Any] = []
    for actuator_class in (PlainActuator, InMemoryActuator):
        rig = make_rig(actuator_class=actuator_class)
        fw = continuous_for_a_day(rig)
        results.append(([e.to_record() for e in fw.events], rig.actuator.status_reads))
    assert results[0] == results[1] and results[0][1] == 1 + 30 * 60  # the baseline read, then one a minute
