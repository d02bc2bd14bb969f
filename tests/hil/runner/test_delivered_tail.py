"""After the balance's last reading the delivered profile follows the pump-reported volume, never the commanded one
(which is no measurement), and a long unweighed tail is named in its source: a balance that stops answering must
not turn the programmed therapy into a "gravimetric" measurement."""
from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.event_log import EventKind
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import PumpFirmware
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.units import S_PER_H
from hil.runner.options import ProfilePointSpacing
from hil.runner.pk_verdict import DeliveredSource, delivered_profiles

SPACING = ProfilePointSpacing.of(900.0, 450.0, 60.0)

pytestmark = pytest.mark.requirements("SR-PK-005")


def dose_mcg(profile, a_h, b_h):
    return sum(s.rate_mcg_per_h * max(0.0, min(s.start_h + s.duration_h, b_h) - max(s.start_h, a_h))
               for s in profile.segments)


def test_the_tail_after_the_last_balance_reading_follows_the_pump_report_and_says_so():
    clock = VirtualClock()
    actuator = InMemoryActuator(clock)
    fw = PumpFirmware(FirmwareConfig(), DrugLimits(), actuator, clock)
    assert fw.refill(8000, 2000, aspirated_ul=0.0).approved and fw.prime().approved
    fw.run_until_s(S_PER_H)
    assert fw.start_continuous(400).approved
    fw.run_until_s(10 * S_PER_H)
    actuator.gain = 1.1  # from 10 h the pump moves (and counts) 10 % more than commanded: within supervision
    fw.run_until_s(20 * S_PER_H)
    statuses = [(e.t_s, float(e.fields["delivered_ul"])) for e in fw.events if e.kind == EventKind.STATUS]
    weighed = {t_s: volume_ul for t_s, volume_ul in statuses if t_s <= 5 * S_PER_H and t_s % 900.0 == 0.0}
    dead_ul, end_s = fw.config.dead_volume_ul, fw.now_s
    delivered, programmed, source = delivered_profiles(fw.events, dead_ul, end_s, weighed, SPACING)
    assert source is DeliveredSource.GRAVIMETRIC_THEN_PUMP_REPORTED
    assert dose_mcg(delivered, 12.0, 20.0) == pytest.approx(1.1 * dose_mcg(programmed, 12.0, 20.0), rel=1e-3)
    assert dose_mcg(delivered, 2.0, 5.0) == pytest.approx(dose_mcg(programmed, 2.0, 5.0), rel=1e-3)
    every_15_min = {t_s: volume_ul for t_s, volume_ul in statuses if t_s % 900.0 == 0.0}
    assert delivered_profiles(fw.events, dead_ul, end_s, every_15_min, SPACING)[2] is DeliveredSource.GRAVIMETRIC
