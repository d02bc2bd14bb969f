"""The rate_error drive fault: the plunger moves a percentage more (or less) than the pump counts, so the pump's
reported volume (and the firmware's reservoir estimate) lag what really left; only the balance sees it."""
from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedGrbl, EmulatedNE1000, EmulatorError
from hil.emulators.fault_catalog import FAULTS_BY_KIND
from hil.emulators.syringe import Syringe, apply_outlet_fault


def test_a_rate_error_moves_more_than_commanded_and_the_end_stop_comes_that_much_earlier():
    syringe = Syringe(14.43, 10000.0, 1060.0)
    apply_outlet_fault(syringe, None, "rate_error", {"percent": 6})  # type: ignore[arg-type]
    syringe.move_mm(100.0 / syringe.area_mm2, 1)   # the pump commands 100 uL
    assert syringe.outflow_ul == pytest.approx(106.0) and syringe.contents_ul == pytest.approx(954.0)
    assert syringe.travel_left_mm(1) * syringe.area_mm2 == pytest.approx(900.0)  # commanded volume to the end stop
    apply_outlet_fault(syringe, None, "clear_rate_error", {})  # type: ignore[arg-type]
    syringe.move_mm(100.0 / syringe.area_mm2, 1)
    assert syringe.outflow_ul == pytest.approx(206.0)


def test_a_fast_ne1000_counts_the_commanded_volume_while_more_leaves():
    clock = VirtualClock()
    pump = EmulatedNE1000(clock)
    pump.transact(b"\r")  # acknowledge the power-up alarm
    pump.inject_fault("rate_error", percent=8)
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(3600)
    assert pump.pump_counted_ul()[0] == pytest.approx(100.0)
    assert pump.dispensed_volume_ul() == pytest.approx(108.0)


def test_rate_error_parameters_are_checked_and_every_syringe_pump_has_it():
    pump = EmulatedGrbl(VirtualClock())
    for bad in (-60, 150, "fast", True):
        with pytest.raises(EmulatorError, match="percent"):
            pump.inject_fault("rate_error", percent=bad)
    with pytest.raises(EmulatorError, match="unknown parameter"):
        pump.inject_fault("clear_rate_error", percent=5)
    assert {"rate_error", "clear_rate_error"} <= FAULTS_BY_KIND["ne1000"] & FAULTS_BY_KIND["grbl"] & \
        FAULTS_BY_KIND["harvard"]
