"""The NE-1000 safe-mode heartbeat runs on a virtual-clock rig through the clock, as on the bench: a jump of virtual
time with no other traffic sends every heartbeat due in it, at its time, so the emulated watchdog stays fed; polls
more frequent than the heartbeat interval send no heartbeat; a host that stops talking still trips the watchdog."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.ne1000_codec import encode_safe
from firmware_sim.clock import VirtualClock
from firmware_sim.units import S_PER_H
from hil.config.loading import load_model
from hil.config.rig import RigConfig
from hil.rig import Rig

RIGS = Path(__file__).resolve().parents[3] / "bench_configs" / "rigs"
RATE_UL_PER_H = 600.0
JUMP_S = 1000.0
RunningRig = tuple[Rig, list[bytes]]
"""An open rig with its pump running, and what the driver writes from then on."""
pytestmark = [pytest.mark.timeout(60), pytest.mark.requirements("SR-DRV-003")]


@pytest.fixture()
def running_rig() -> Iterator[RunningRig]:
    """The emulated NE-1000 rig, pump running; the list collects what the driver writes from then on."""
    rig = Rig(load_model(RIGS / "emulated-ne1000.yaml", RigConfig), syringe_fill_ul=5000).open()
    try:
        assert isinstance(rig.clock, VirtualClock)
        rig.pump.set_rate_ul_per_h(RATE_UL_PER_H)
        rig.pump.start()
        written: list[bytes] = []
        transport = rig.pump.transport
        write = transport.write
        transport.write = lambda data: (written.append(bytes(data)), write(data))[1]
        yield rig, written
    finally:
        rig.close()


def _jump(rig: Rig) -> float:
    """One jump of JUMP_S on the rig's virtual clock, nothing else sent by the test; the time it jumped from."""
    start_s = rig.clock.now_s()
    rig.clock.sleep_until_s(start_s + JUMP_S)
    return start_s


def _assert_pumped_for_s(rig: Rig, pumping_s: float) -> None:
    dispensed_ul = rig.emulator("pump").dispensed_volume_ul()
    assert dispensed_ul == pytest.approx(RATE_UL_PER_H * pumping_s / S_PER_H, rel=0.01)


def test_a_jump_of_virtual_time_sends_each_heartbeat_when_due_and_the_watchdog_stays_fed(
        running_rig: RunningRig) -> None:
    rig, written = running_rig
    interval_s = rig.pump.heartbeat_interval_s
    start_s = _jump(rig)  # no supervision poll in it
    heartbeat = encode_safe("0")  # the status query at address 0
    assert written == [heartbeat] * int(JUMP_S // interval_s)
    core = rig.emulator("pump").core
    assert core.watchdog_deadline_s is not None and core.watchdog_deadline_s > start_s + JUMP_S
    status = rig.pump.status()
    assert status.running and status.alarm is None
    _assert_pumped_for_s(rig, JUMP_S)


def test_polls_more_often_than_the_heartbeat_interval_send_no_heartbeat(running_rig: RunningRig) -> None:
    rig, written = running_rig
    start_s = rig.clock.now_s()
    for tick in range(1, 11):
        rig.clock.sleep_until_s(start_s + 60.0 * tick)
        assert rig.pump.status().running
    assert written == [encode_safe("0DIS")] * 10  # one exchange per poll, nothing else


def test_a_host_that_stops_talking_trips_the_emulated_watchdog_in_virtual_time(running_rig: RunningRig) -> None:
    rig, _ = running_rig
    rig.pump._link.stop_heartbeat()  # the host dies: nothing more is sent
    _jump(rig)
    _assert_pumped_for_s(rig, rig.pump.safe_mode_timeout_s)
    status = rig.pump.status()
    assert status.alarm == "watchdog" and not status.running
