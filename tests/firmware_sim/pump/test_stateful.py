"""Random sequences of programming, boluses, PTM presses, refills, time and actuator faults.

Invariants: no 24 h window of delivered dose exceeds the hard daily limit, except by what an actuator
delivers after it stops answering, which its own watchdog ends within WATCHDOG_S (the firmware cannot stop
an actuator it cannot reach); no PTM bolus inside the lockout; no 24 h of PTM presses above the library's PTM dose
(PTM reconfigured between presses); delivery stops within one supervision period
of a high-priority alarm; the reservoir volume is conserved; every rejected request is in the log with its
reason.
"""
from __future__ import annotations

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from firmware_sim.clock import VirtualClock
from firmware_sim.event_log import EventKind
from firmware_sim.pump.alarms import AlarmPriority
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import PumpFirmware
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.safety.window import DoseHistory, max_window_dose_mcg
import itertools

H = 3600.0
PERIOD_S = 300.0
LOCKOUT_MIN = 60.0
WATCHDOG_S = 2 * PERIOD_S
MAX_CONC_MCG_PER_ML = 1000.0


class FirmwareMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock()
        self.actuator = InMemoryActuator(self.clock, watchdog_s=WATCHDOG_S)
        self.limits = DrugLimits()
        self.fw = PumpFirmware(FirmwareConfig(supervision_period_s=PERIOD_S), self.limits, self.actuator, self.clock)
        self.decisions = []
        self.fault_injected_s: float | None = None
        self.outage: tuple[float, float] | None = None
        """(delivered_ul, rate_ul_per_h) of the actuator when its link went down."""
        self.unreachable_run_on_mcg = 0.0
        self.do(self.fw.refill, 20000, 500, 0)
        self.do(self.fw.prime)
        self.fw.run_until_s(H)
        self.do(self.fw.configure_ptm, 20, 10, LOCKOUT_MIN, 6)

    def do(self, command, *args, **kwargs):
        decision = command(*args, **kwargs)
        self.decisions.append(decision)
        return decision

    @rule(rate=st.sampled_from([100, 200, 300, 600, 900, 1100, 1300]), override=st.booleans())
    def program(self, rate, override):
        self.do(self.fw.start_continuous, rate, override_soft_limits=override)

    @rule(rate=st.sampled_from([150, 250, 400, 700]))
    def change_rate(self, rate):
        self.do(self.fw.change_rate, rate)

    @rule(dose=st.sampled_from([10, 50, 100, 150]), minutes=st.sampled_from([0.5, 15, 60]))
    def clinician_bolus(self, dose, minutes):
        self.do(self.fw.clinician_bolus, dose, minutes)

    @rule()
    def ptm(self):
        self.do(self.fw.press_ptm)

    @rule(dose=st.sampled_from([10, 20, 50, 100]), count=st.sampled_from([4, 6, 8]))
    def reconfigure_ptm(self, dose, count):
        self.do(self.fw.configure_ptm, dose, 30, LOCKOUT_MIN, count)

    @rule(conc=st.sampled_from([500, 1000, 750]), volume=st.sampled_from([5000, 20000, 25000]),
          error_ul=st.sampled_from([0, 3000]))
    def refill(self, conc, volume, error_ul):
        if self.fw.state in (PumpState.CONTINUOUS, PumpState.BOLUS, PumpState.BRIDGE):
            self.do(self.fw.suspend)
        self.do(self.fw.refill, volume, conc, max(self.fw.reservoir_volume_ul - error_ul, 0.0))

    @rule()
    def resume_or_bridge(self):
        if not self.do(self.fw.resume).approved:
            self.do(self.fw.bridge_bolus)

    @rule(hours=st.floats(0.05, 30))
    def advance(self, hours):
        self.fw.run_until_s(self.fw.now_s + hours * H)

    @precondition(lambda self: self.fault_injected_s is None)
    @rule(fault=st.sampled_from(["occlusion", "motor_stall", "stall_silent", "comm"]))
    def inject_fault(self, fault):
        if fault == "stall_silent":
            self.actuator.gain = 0.0
        elif fault == "comm":
            self.actuator.communication_lost = True
            self.outage = (self.actuator.delivered_ul, self.actuator.rate_ul_per_h)
        else:
            self.actuator.fault = fault
        self.fault_injected_s = self.fw.now_s

    @rule()
    def repair_and_clear(self):
        if self.outage is not None:
            run_on_ul = self.actuator.delivered_ul - self.outage[0]
            self.unreachable_run_on_mcg += run_on_ul * MAX_CONC_MCG_PER_ML / 1000.0
            self.outage = None
        self.actuator.gain, self.actuator.fault, self.actuator.communication_lost = 1.0, None, False
        self.fault_injected_s = None
        self.do(self.fw.clear_alarm)

    @rule()
    def stop_or_suspend(self):
        self.do(self.fw.suspend if self.fw.state is not PumpState.SUSPENDED else self.fw.stop)

    # --- invariants ---
    @invariant()
    def no_window_exceeds_hard_limit(self):
        engine = self.fw.engine
        history = DoseHistory(engine.delivered.times_s.copy(), engine.delivered.cum_mcg.copy())
        dose, _ = max_window_dose_mcg(history, (), 24 * H)
        assert dose <= (self.limits.hard_max_daily_dose_mcg + self.unreachable_run_on_mcg) * (1 + 1e-9)

    @invariant()
    def unreachable_actuator_stops_within_its_watchdog(self):
        if self.outage is not None:
            delivered_at_loss_ul, rate_ul_per_h = self.outage
            run_on_ul = self.actuator.delivered_ul - delivered_at_loss_ul
            assert run_on_ul <= rate_ul_per_h * WATCHDOG_S / H + 1e-9

    @invariant()
    def no_ptm_inside_lockout(self):
        starts = [e.t_s for e in self.fw.events if e.kind == EventKind.DOSE and e.fields.get("event") == "bolus_start"
                  and e.fields["bolus_kind"] == "ptm"]
        assert all(b - a >= LOCKOUT_MIN * 60 - 1e-6 for a, b in itertools.pairwise(starts))

    @invariant()
    def ptm_dose_per_24h_within_the_library_limit(self):
        """Counted as each press gave it, whatever PTM was reconfigured to since."""
        presses = [(e.t_s, e.fields["dose_mcg"]) for e in self.fw.events if e.kind == EventKind.DOSE
                   and e.fields.get("event") == "bolus_start" and e.fields["bolus_kind"] == "ptm"]
        for t_s, _ in presses:
            in_window = sum(dose for t, dose in presses if t_s - 24 * H < t <= t_s)
            assert in_window <= self.limits.ptm_max_dose_per_24h_mcg * (1 + 1e-9)

    @invariant()
    def high_alarm_stops_delivery_within_one_period(self):
        high = [a for a in self.fw.active_alarms if a.priority is AlarmPriority.HIGH]
        if high:
            assert self.fw.state is PumpState.ALARM and self.fw.actuator_rate_ul_per_h == 0.0
            if not self.actuator.communication_lost:
                assert self.actuator.rate_ul_per_h == 0.0
        events = self.fw.events
        rate_ul_per_h = 0.0
        for i, e in enumerate(events):
            if e.kind == EventKind.RATE_COMMAND:
                rate_ul_per_h = e.fields["rate_ul_per_h"]
            elif (
                e.kind == EventKind.ALARM and e.fields.get("priority") == AlarmPriority.HIGH.value and rate_ul_per_h > 0
            ):
                following = [r for r in events[i:] if r.kind == EventKind.RATE_COMMAND]
                assert following and following[0].fields["rate_ul_per_h"] == 0.0
                assert following[0].t_s - e.t_s <= PERIOD_S

    @invariant()
    def reservoir_conserved(self):
        assert abs(self.fw.reservoir_balance_error_ul) < 1e-6
        assert self.fw.reservoir_volume_ul > -1e-6

    @invariant()
    def rejections_logged_with_reasons(self):
        logged = [e.fields for e in self.fw.events if e.kind == EventKind.DECISION and not e.fields["approved"]]
        rejected = [d for d in self.decisions if not d.approved]
        assert len(logged) >= len(rejected)
        for d in rejected:
            assert d.reasons and all("[SR-" in r for r in d.reasons)
            assert any(f["request"] == d.request and f["reasons"] == list(d.reasons) for f in logged)


FirmwareMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
test_firmware_invariants = pytest.mark.requirements(
    "SR-DOSE-003", "SR-PTM-001", "SR-ALM-001", "SR-RES-001", "SR-SUP-004")(FirmwareMachine.TestCase)
