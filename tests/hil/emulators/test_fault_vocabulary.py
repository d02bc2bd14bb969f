"""Fault names are one typed vocabulary (hil.emulators.faults.Fault): the cores and the device catalog key their
faults by it, and names from files or the command line are parsed into it at the edge with an error naming the bad
name and the known ones."""
from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from hil.config.scenario_steps import InjectFaultStep
from hil.devices.catalog import CATALOG
from hil.emulators import EmulatedBalance, EmulatedNE1000, EmulatorError
from hil.emulators.fault_catalog import ALL_FAULTS, FAULTS_BY_KIND
from hil.emulators.faults import LINK_FAULTS, Fault, parse_fault


def test_every_device_fault_is_a_member_of_the_vocabulary():
    for entry in CATALOG:
        assert entry.faults and all(isinstance(fault, Fault) for fault in entry.faults), entry.name
        assert all(isinstance(fault, Fault) for fault in FAULTS_BY_KIND[entry.name])
    assert all(isinstance(fault, Fault) for fault in LINK_FAULTS)
    assert set(Fault) == ALL_FAULTS  # no member that no device accepts


def test_a_name_is_parsed_into_the_vocabulary_or_refused_naming_it_and_the_known_ones():
    assert parse_fault("stall", ALL_FAULTS) is Fault.STALL
    with pytest.raises(EmulatorError, match=r"^balance: unknown fault 'stall'; known: .*overload.*unstable"):
        parse_fault("stall", FAULTS_BY_KIND["balance"], "balance: ")
    with pytest.raises(EmulatorError, match=r"unknown fault 'melt'; known: clear_leak, .*stall"):
        parse_fault("melt", ALL_FAULTS)


def test_a_scenario_step_carries_the_parsed_fault():
    step = InjectFaultStep(at_h=1.0, action="inject_fault", device="pump", fault="occlusion")
    assert step.fault is Fault.OCCLUSION


def test_inject_fault_takes_the_vocabulary_and_refuses_another_kinds_fault_by_name():
    pump = EmulatedNE1000(VirtualClock())
    pump.inject_fault(Fault.STALL)
    assert pump.core.motor_jammed
    with pytest.raises(EmulatorError, match=r"unknown fault 'overload'; known: .*stall"):
        pump.inject_fault(Fault.OVERLOAD)
    with pytest.raises(EmulatorError, match=r"unknown fault 'stall'"):
        EmulatedBalance(VirtualClock(), None).inject_fault("stall")
