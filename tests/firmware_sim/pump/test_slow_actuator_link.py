"""On a wall clock a rate command takes time: the exchanges before the one that starts the pump (a rate, a baseline
read), and the replies after it. The firmware counts the new rate from the moment the command came back, the old
rate until then, so its commanded volume follows the pump. It used to count from before the exchanges: at 20x
compression a priming the firmware called complete had pushed 19 % less than the line holds (the drug short of the
tip), and supervision compared the pump against flow it was never sent."""
from __future__ import annotations

import itertools

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.pump.states import PumpState
from firmware_sim.units import S_PER_H

BEFORE_ACTION_S = 1.0
"""Link time before the device acts on a rate command (the exchanges ahead of the pump's RUN)."""
AFTER_ACTION_S = 0.05
"""Link time after the device acted (its reply; a second STP)."""


class SlowLink(InMemoryActuator):
    """An actuator behind a link whose commands take clock time; stop_delivered_ul: what it had pushed at each
    stop."""

    def __init__(self, clock: VirtualClock, gain: float = 1.0) -> None:
        super().__init__(clock, gain=gain)
        self.link_clock = clock
        self.stop_delivered_ul: list[float] = []

    def command_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        self.link_clock.advance_s(BEFORE_ACTION_S)
        super().command_rate_ul_per_h(rate_ul_per_h)
        self.link_clock.advance_s(AFTER_ACTION_S)

    def stop(self) -> None:
        super().stop()
        self.stop_delivered_ul.append(self._delivered_ul)
        self.link_clock.advance_s(AFTER_ACTION_S)


def _state_times_s(rig, to_state: PumpState) -> list[float]:
    return [e.t_s for e in rig.sunk if e.kind == "state" and e.fields["to_state"] == to_state.value]


@pytest.mark.requirements("SR-HIL-002")
def test_a_priming_the_firmware_ends_has_pushed_the_line_volume_through_a_slow_link(make_rig):
    rig = make_rig(actuator_class=SlowLink)
    fw, pump = rig.firmware, rig.actuator
    assert fw.refill(20000, 500, aspirated_ul=0.0).approved
    assert fw.prime().approved
    fw.run_until_s(2 * S_PER_H)
    assert _state_times_s(rig, PumpState.IDLE), "the priming did not end"
    assert not fw.active_alarms
    dead_volume_ul = fw.config.dead_volume_ul
    assert pump.stop_delivered_ul[0] >= dead_volume_ul - 1e-9  # the drug reached the tip when the firmware said so
    # the firmware's commanded volume is the pump's, less at most the link time after the stop acted
    slack_ul = fw.config.priming_rate_ul_per_h * AFTER_ACTION_S / S_PER_H
    assert fw.engine.q_ul == pytest.approx(pump.delivered_ul, abs=slack_ul + 1e-9)


@pytest.mark.requirements("SR-HIL-002")
def test_therapy_through_a_slow_link_is_supervised_against_the_flow_the_pump_was_sent(make_rig):
    rig = make_rig(actuator_class=SlowLink)
    fw, pump = rig.primed(), rig.actuator
    q0_ul, pushed0_ul, first = fw.engine.q_ul, pump.delivered_ul, len(pump.commands)
    assert fw.start_continuous(400).approved
    fw.run_until_s(fw.now_s + 24 * S_PER_H)
    assert fw.change_rate(480).approved
    fw.run_until_s(fw.now_s + 2 * S_PER_H)
    assert fw.clinician_bolus(50, 30).approved
    fw.run_until_s(fw.now_s + 24 * S_PER_H)
    assert not fw.active_alarms
    rates = [0.0] + [rate for _t_s, rate in pump.commands[first:]]
    assert len(rates) == 5  # continuous, the new rate, the bolus on and off
    # the pump's flow changed at each command's action, the firmware's when the command came back: AFTER_ACTION_S
    # later, and nothing else apart (counted from the command's start, they were BEFORE_ACTION_S apart the other way)
    lag_ul = sum(new - old for old, new in itertools.pairwise(rates)) * AFTER_ACTION_S / S_PER_H
    assert fw.engine.q_ul - q0_ul == pytest.approx(pump.delivered_ul - pushed0_ul - lag_ul, abs=1e-9)
