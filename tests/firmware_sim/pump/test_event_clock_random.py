"""Random command and fault sequences give the same records whether the ticks before the next other event run one
after another on the event clock or each through the general event loop."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from firmware_sim.clock import VirtualClock
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import FlexSchedule, FlexStep, PumpFirmware
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.limits import DrugLimits

H = 3600.0
FLEX = FlexSchedule(tuple(FlexStep(float(h), 10.0 + 3.0 * (h % 4)) for h in range(0, 24, 2)))
ODD_FLEX = FlexSchedule((FlexStep(0.0, 11.0), FlexStep(7.3719, 16.5), FlexStep(11.890533388464743, 9.25),
                         FlexStep(19.24831616681304, 14.0)))
"""Step times that do not fall on a tick and round awkwardly against the day start."""


class TickByTickFirmware(PumpFirmware):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scheduler._run_ticks = lambda limit_s, end_s: None  # type: ignore[method-assign]


OPERATIONS = st.one_of(
    st.tuples(st.just("program"), st.sampled_from([150, 300, 700, 1100])),
    st.tuples(st.just("flex"), st.sampled_from([FLEX, ODD_FLEX])),
    st.tuples(st.just("bolus"), st.sampled_from([10, 50, 100]), st.sampled_from([0.5, 15, 60])),
    st.tuples(st.just("ptm")),
    st.tuples(st.just("refill"), st.sampled_from([500, 1000]), st.sampled_from([5000, 20000]),
              st.sampled_from([0, 3000])),
    st.tuples(st.just("resume")),
    st.tuples(st.just("suspend")),
    st.tuples(st.just("advance"), st.floats(0.01, 40)),
    st.tuples(st.just("fault"), st.sampled_from(["occlusion", "motor_stall", "gain", "comm"])),
    st.tuples(st.just("repair")),
)


def replay(firmware_class: type[PumpFirmware], period_s: float, watchdog_s: float | None, operations) -> tuple:
    clock = VirtualClock()
    actuator = InMemoryActuator(clock, watchdog_s=watchdog_s)
    fw = firmware_class(FirmwareConfig(supervision_period_s=period_s), DrugLimits(), actuator, clock)
    decisions = [fw.refill(20000, 500, 0), fw.prime(), fw.configure_ptm(20, 10, 60, 6)]
    fw.run_until_s(H)
    checkpoints = []
    for operation, *args in operations:
        if operation == "program":
            decisions.append(fw.start_continuous(args[0], override_soft_limits=True))
        elif operation == "flex":
            decisions.append(fw.start_flex(args[0]))
        elif operation == "bolus":
            decisions.append(fw.clinician_bolus(*args))
        elif operation == "ptm":
            decisions.append(fw.press_ptm())
        elif operation == "refill":
            if fw.state in (PumpState.CONTINUOUS, PumpState.BOLUS, PumpState.BRIDGE):
                decisions.append(fw.suspend())
            conc, volume, error_ul = args
            decisions.append(fw.refill(volume, conc, max(fw.reservoir_volume_ul - error_ul, 0.0)))
        elif operation == "resume":
            decisions.append(fw.resume())
        elif operation == "suspend":
            decisions.append(fw.suspend())
        elif operation == "advance":
            fw.run_until_s(fw.now_s + args[0] * H)
        elif operation == "fault":
            if args[0] == "gain":
                actuator.gain = 1.3
            elif args[0] == "comm":
                actuator.communication_lost = True
            else:
                actuator.fault = args[0]
        elif operation == "repair":
            actuator.gain, actuator.fault, actuator.communication_lost = 1.0, None, False
            decisions.append(fw.clear_alarm())
        checkpoints.append((fw.now_s, fw.state, fw.reservoir_volume_ul, fw.commanded_volume_ul,
                            fw.actuator_reported_volume_ul, fw.engine.delivered_in_last_s(24 * H)))
    return ([e.to_record() for e in fw.events], [d.to_record() for d in decisions], checkpoints,
            actuator.status_reads, list(actuator.commands), actuator.watchdog_stops_s)


@settings(max_examples=40, deadline=None)
@given(period_s=st.sampled_from([37.0, 60.0, 240.0]), watchdog_s=st.sampled_from([None, 600.0]),
       operations=st.lists(OPERATIONS, min_size=1, max_size=14))
def test_random_sequences_give_the_same_records_on_the_event_clock_and_tick_by_tick(period_s, watchdog_s,
                                                                                   operations):
    bulk = replay(PumpFirmware, period_s, watchdog_s, operations)
    tick_by_tick = replay(TickByTickFirmware, period_s, watchdog_s, operations)
    for got, expected in zip(bulk, tick_by_tick):
        assert got == expected
