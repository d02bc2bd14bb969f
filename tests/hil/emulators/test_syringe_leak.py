"""The leak outlet fault: part of the outflow never reaches the balance, and the pump cannot tell."""
from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedGrbl, EmulatedNE1000, EmulatorError
from hil.emulators.fault_catalog import FAULTS_BY_KIND
from hil.emulators.syringe import Syringe, apply_outlet_fault


def test_a_leak_diverts_its_fraction_of_the_outflow_until_repaired():
    syringe = Syringe(14.43, 10000.0, 1000.0)
    apply_outlet_fault(syringe, None, "leak", {"fraction": 0.25})  # type: ignore[arg-type]
    syringe.move_mm(100.0 / syringe.area_mm2, 1)
    assert (syringe.outflow_ul, syringe.leaked_ul, syringe.contents_ul) == (pytest.approx(75.0), pytest.approx(25.0),
                                                                           pytest.approx(900.0))
    apply_outlet_fault(syringe, None, "clear_leak", {})  # type: ignore[arg-type]
    syringe.move_mm(100.0 / syringe.area_mm2, 1)
    assert syringe.outflow_ul == pytest.approx(175.0) and syringe.leaked_ul == pytest.approx(25.0)


def test_a_disconnected_ne1000_line_counts_delivery_the_balance_never_sees():
    clock = VirtualClock()
    pump = EmulatedNE1000(clock)
    pump.transact(b"\r")  # acknowledge the power-up alarm
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(36)
    pump.inject_fault("leak")  # default fraction 1: a disconnection
    clock.advance_s(36)
    assert pump.pump_counted_ul()[0] == pytest.approx(2.0)
    assert pump.dispensed_volume_ul() == pytest.approx(1.0)


def test_leak_parameters_are_checked_and_both_pumps_have_it():
    pump = EmulatedGrbl(VirtualClock())
    for bad in (0, 1.5, -0.1, "half"):
        with pytest.raises(EmulatorError, match="fraction"):
            pump.inject_fault("leak", fraction=bad)
    with pytest.raises(EmulatorError, match="unknown parameter"):
        pump.inject_fault("clear_leak", fraction=0.5)
    assert {"leak", "clear_leak"} <= FAULTS_BY_KIND["ne1000"] & FAULTS_BY_KIND["grbl"]
