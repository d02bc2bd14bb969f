"""Random command sequences against the gate's side doors: refills at every library concentration (the
screening-only one too), bridges, programs, flex schedules, periodic boluses, PTM, clinician boluses, alarms
cleared, suspend and stop, and time.

Invariants, checked after every step with arithmetic of their own (not the gate's code):
- no continuous, flex, periodic or PTM therapy runs on a screening-only concentration (a clinician's screening
  bolus may, and a bridge may push screening drug left in the line out ahead of a therapy concentration);
- every approved therapy command leaves a therapy (basal plus periodic boluses) that passes what
  start_continuous checks: therapy concentration, daily dose hard limit and soft limit unless overridden,
  titration cap and interval, drug rate, actuator rate, a settled line unless bridging;
- the tip dose rate is what the programs say, whatever concentrations the line holds;
- priming, also resumed after an alarm and a refill, delivers nothing to the patient;
- no rolling 24 h window of delivered dose exceeds the hard maximum.
"""
from __future__ import annotations

import pytest
from hypothesis import event, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from firmware_sim.clock import VirtualClock
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import FlexSchedule, FlexStep, PumpFirmware
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.safety.window import DoseHistory, max_window_dose_mcg

H = 3600.0
PERIOD_S = 300.0
LIMITS = DrugLimits()
CONFIG = FirmwareConfig(supervision_period_s=PERIOD_S)
CONCS = st.sampled_from(LIMITS.allowed_conc_mcg_per_ml)
SCREENING = set(LIMITS.screening_only_conc_mcg_per_ml)
THERAPY_COMMANDS = {"start_continuous", "start_flex", "change_rate", "resume", "bridge_bolus", "periodic_bolus"}
FLEX = [FlexSchedule((FlexStep(0.0, 10.0), FlexStep(8.0, 16.0), FlexStep(20.0, 8.0))),
        FlexSchedule((FlexStep(0.0, 30.0), FlexStep(12.0, 45.0))),
        FlexSchedule((FlexStep(0.0, 5.0),))]
REL = 1e-9


class GateMachine(RuleBasedStateMachine):
    @initialize(conc=CONCS, interrupted_h=st.sampled_from([None, None, None, 0.1, 0.2, 0.33]), refill_conc=CONCS)
    def fill_and_prime(self, conc, interrupted_h, refill_conc):
        """Fill and prime; perhaps an alarm interrupts priming, the pump is refilled and primed again."""
        self.clock = VirtualClock()
        self.actuator = InMemoryActuator(self.clock)
        self.fw = PumpFirmware(CONFIG, LIMITS, self.actuator, self.clock)
        self.reference_mcg: float | None = None
        self.last_increase_s: float | None = None
        assert self.fw.refill(20000, conc, 0).approved and self.fw.prime().approved
        if interrupted_h is not None:
            self.fw.run_until_s(interrupted_h * H)
            self.actuator.fault = "occlusion"
            self.fw.run_until_s(self.fw.now_s + 2 * PERIOD_S)
            self.actuator.fault = None
            assert self.fw.refill(20000, refill_conc, max(self.fw.reservoir_volume_ul, 0.0)).approved
            assert self.fw.clear_alarm().approved and self.fw.prime().approved
        self.fw.run_until_s(self.fw.now_s + H)
        assert self.fw.state is PumpState.IDLE and self.fw.engine.tip_conc_now() == conc
        assert self.fw.delivery_profile().total_dose_mcg() == 0.0  # priming delivers nothing to the patient
        self.therapy(self.fw.start_continuous, 300)  # refused on the screening-only concentration

    # --- commands ---
    def therapy(self, command, *args, override=False, **kwargs):
        line_before = self.fw.engine.line_conc_ahead()
        decision = command(*args, **kwargs)
        event(f"{decision.request} {'approved' if decision.approved else 'refused'}")
        event(f"line {len(set(line_before))}")
        if decision.approved:
            self.check_approved_therapy(decision.request, override, line_before)
        return decision

    @rule(rate=st.sampled_from([100, 200, 300, 390, 600, 900, 1100, 1300]), override=st.booleans())
    def start_continuous(self, rate, override):
        self.therapy(self.fw.start_continuous, rate, override_soft_limits=override, override=override)

    @rule(schedule=st.sampled_from(FLEX), override=st.booleans())
    def start_flex(self, schedule, override):
        self.therapy(self.fw.start_flex, schedule, override_soft_limits=override, override=override)

    @rule(rate=st.sampled_from([100, 250, 390, 700]))
    def change_rate(self, rate):
        self.therapy(self.fw.change_rate, rate)

    @rule(rate=st.sampled_from([None, 200, 300, 400, 900]), override=st.booleans())
    def bridge(self, rate, override):
        self.therapy(self.fw.bridge_bolus, rate, override_soft_limits=override, override=override)

    @rule(rate=st.sampled_from([None, 300]), hours=st.floats(0.5, 4), first=CONCS, then=CONCS)
    def interrupted_bridge(self, rate, hours, first, then):
        """Refill at first and bridge, interrupt the bridge and refill at then (the line now holds the old drug,
        a plug of first and then), bridge again."""
        if self.fw.state in (PumpState.CONTINUOUS, PumpState.BOLUS, PumpState.BRIDGE):
            self.fw.suspend()
        self.fw.refill(5000, first, max(self.fw.reservoir_volume_ul, 0.0))
        if self.therapy(self.fw.bridge_bolus, rate).approved:
            self.fw.run_until_s(self.fw.now_s + hours * H)
            self.fw.suspend()
            self.fw.refill(5000, then, max(self.fw.reservoir_volume_ul, 0.0))
            if self.therapy(self.fw.bridge_bolus).approved:
                for _ in range(12):
                    self.fw.run_until_s(self.fw.now_s + H)
                    self.tip_dose_rate_is_the_programmed_one()

    @rule()
    def resume(self):
        self.therapy(self.fw.resume)

    @rule(dose=st.sampled_from([10, 20, 50]), minutes=st.sampled_from([10, 30, 60]),
          interval_h=st.sampled_from([3, 6, 12]), override=st.booleans())
    def periodic(self, dose, minutes, interval_h, override):
        self.therapy(self.fw.setup_periodic_bolus, dose, minutes, interval_h, override_soft_limits=override,
                     override=override)

    @rule(dose=st.sampled_from([10, 20]), minutes=st.sampled_from([30, 60]))
    def ptm(self, dose, minutes):
        self.fw.configure_ptm(dose, minutes, 60, 4)
        self.fw.press_ptm()

    @rule(dose=st.sampled_from([20, 50, 100]), minutes=st.sampled_from([30, 60]))
    def clinician_bolus(self, dose, minutes):
        self.fw.clinician_bolus(dose, minutes)

    @rule(conc=CONCS, volume=st.sampled_from([3000, 20000]), stop=st.booleans())
    def refill(self, conc, volume, stop):
        if self.fw.state in (PumpState.CONTINUOUS, PumpState.BOLUS, PumpState.BRIDGE):
            (self.fw.stop if stop else self.fw.suspend)()
        self.fw.refill(volume, conc, max(self.fw.reservoir_volume_ul, 0.0))

    @rule(hours=st.floats(0.05, 30))
    def advance(self, hours):
        self.fw.run_until_s(self.fw.now_s + hours * H)

    @rule(fault=st.sampled_from(["occlusion", "motor_stall"]))
    def alarm_then_clear(self, fault):
        self.actuator.fault = fault
        self.fw.run_until_s(self.fw.now_s + 2 * PERIOD_S)
        self.actuator.fault = None
        self.fw.clear_alarm()

    @rule(stop=st.booleans())
    def suspend_or_stop(self, stop):
        (self.fw.stop if stop else self.fw.suspend)()

    # --- the oracle ---
    def check_approved_therapy(self, request, override, line_before):
        fw = self.fw
        assert request in THERAPY_COMMANDS
        basal, periodic = fw.therapy.basal, fw.therapy.periodic
        daily = (basal.daily_dose_mcg if basal is not None else 0.0) + (
            periodic.dose_mcg * 24 / periodic.interval_h if periodic is not None else 0.0)
        reservoir_conc = line_before[-1]
        assert reservoir_conc not in SCREENING, f"{request} approved on a screening-only reservoir"
        assert line_before[0] > 0, f"{request} approved before priming"
        settled = all(c == reservoir_conc for c in line_before)
        assert settled != (request == "bridge_bolus"), f"{request} approved with line {line_before}"
        assert daily <= LIMITS.hard_max_daily_dose_mcg * (1 + REL)
        assert override or daily <= LIMITS.soft_max_daily_dose_mcg * (1 + REL)
        if self.reference_mcg is not None and daily > self.reference_mcg * (1 + REL):
            assert daily / self.reference_mcg - 1 <= LIMITS.titration_cap_fraction[CONFIG.indication] + REL
            assert self.last_increase_s is None or fw.now_s - self.last_increase_s >= 24 * H - 1e-6
        if self.reference_mcg is None or daily > self.reference_mcg:
            self.last_increase_s = fw.now_s
        self.reference_mcg = daily
        peak = basal.peak_rate_mcg_per_h if basal is not None else 0.0
        assert peak <= LIMITS.max_rate_mcg_per_h * (1 + REL)
        lowest_conc = min(c for c in line_before if c > 0)
        assert peak / lowest_conc * 1000 <= CONFIG.max_actuator_rate_ul_per_h * (1 + REL)

    @invariant()
    def no_therapy_on_a_screening_only_concentration(self):
        fw = self.fw
        tip_conc, reservoir_conc = fw.engine.tip_conc_now(), fw.reservoir_conc_mcg_per_ml
        if fw.state in (PumpState.CONTINUOUS, PumpState.BRIDGE) or (
                fw.state is PumpState.BOLUS and fw.therapy.bolus.kind != "clinician"):
            assert reservoir_conc not in SCREENING
        if fw.state is PumpState.CONTINUOUS or (fw.state is PumpState.BOLUS and fw.therapy.bolus.kind != "clinician"):
            assert tip_conc not in SCREENING

    @invariant()
    def tip_dose_rate_is_the_programmed_one(self):
        fw = self.fw
        if fw.state not in (PumpState.CONTINUOUS, PumpState.BRIDGE, PumpState.BOLUS):
            return
        expected = (fw.therapy.basal.rate_mcg_per_h_at(fw.now_s) if fw.therapy.basal is not None else 0.0) + (
            fw.therapy.bolus.rate_mcg_per_h if fw.therapy.bolus is not None else 0.0)
        delivered = fw.actuator_rate_ul_per_h * fw.engine.tip_conc_now() / 1000.0
        assert delivered == pytest.approx(expected, rel=1e-6)

    @invariant()
    def no_window_exceeds_hard_limit(self):
        engine = self.fw.engine
        history = DoseHistory(engine.delivered.times_s.copy(), engine.delivered.cum_mcg.copy())
        dose, _ = max_window_dose_mcg(history, (), 24 * H)
        assert dose <= LIMITS.hard_max_daily_dose_mcg * (1 + REL)


GateMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
test_no_side_door_to_therapy = pytest.mark.requirements(
    "SR-DOSE-001", "SR-DOSE-002", "SR-DOSE-003", "SR-DOSE-005", "SR-DOSE-006", "SR-TIT-001", "SR-TIT-002",
    "SR-BOL-004", "SR-BOL-005", "SR-SUP-005")(GateMachine.TestCase)
