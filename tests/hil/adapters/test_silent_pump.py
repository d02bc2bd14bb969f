"""A pump that stopped answering is asked less often on a virtual clock (hil.adapters.silent_pump): every
unanswered status read cost the driver's reply timeout of wall time, so a 12-hour scenario whose pump link dropped
every byte from 1.5 h on sent about 630 reads into the dead link (over 10 minutes of wall time), a 30-day one about
43,000 (12 hours)."""
from __future__ import annotations

import pytest

from drivers.errors import DeviceTimeout
from drivers.ne1000 import NE1000Pump
from firmware_sim.clock import VirtualClock
from firmware_sim.ports import ActuatorError
from firmware_sim.pump.actuator_faults import ActuatorFault
from hil.adapters import PumpActuator
from hil.adapters.silent_pump import MAX_N_SILENT_IN_A_ROW, SilentPumpBackoff
from hil.paths import CHECKOUT_BENCH_CONFIGS
from hil.runner.options import RunOptions
from hil.runner.run import run_scenario
from tests.support.reporting_pump import ReportingPump

req = pytest.mark.requirements


class CountingPump(ReportingPump):
    def __init__(self, clock: VirtualClock) -> None:
        super().__init__(clock)
        self.status_calls = 0

    def status(self):  # noqa: ANN201
        self.status_calls += 1
        return super().status()


def _read_every_minute(actuator: PumpActuator, clock: VirtualClock, until_s: float) -> list[object]:
    out: list[object] = []
    while clock.now_s() < until_s:
        clock.advance_s(60.0)
        try:
            out.append(actuator.read_status().delivered_ul)
        except ActuatorError as exc:
            out.append(exc)
    return out


@req("SR-ALM-004")
def test_a_silent_pump_is_asked_again_after_a_doubling_wait_and_every_read_still_fails():
    clock = VirtualClock()
    pump = CountingPump(clock)
    actuator = PumpActuator(pump, silent_backoff=SilentPumpBackoff(clock.now_s))
    pump.error = DeviceTimeout("expected 2 bytes within 1 s, got b''")
    out = _read_every_minute(actuator, clock, 12 * 3600.0)
    assert len(out) == 720 and all(isinstance(e, ActuatorError) for e in out)
    assert all(e.fault == ActuatorFault.COMMUNICATION_LOST for e in out if isinstance(e, ActuatorError))
    # asked at 1, 2, 3 min, then after waits of 1, 2, 4, ... min: 4, 6, 10, 18, 34, 66, 130, 258, 514 min (12 h)
    assert pump.status_calls == 12
    skipped = [e for e in out[MAX_N_SILENT_IN_A_ROW:] if isinstance(e, ActuatorError) and "not asked" in e.detail]
    assert skipped and "answered none of the last" in skipped[0].detail and "asked again at t=" in skipped[0].detail


@req("SR-ALM-004")
def test_an_answer_ends_the_backing_off_and_commands_are_always_sent():
    clock = VirtualClock()
    pump = CountingPump(clock)
    actuator = PumpActuator(pump, silent_backoff=SilentPumpBackoff(clock.now_s))
    pump.error = DeviceTimeout("silent")
    _read_every_minute(actuator, clock, 3600.0)
    actuator.command_rate_ul_per_h(10.0)  # sent though status reads are backed off, and answered
    pump.error = None
    calls = pump.status_calls
    assert _read_every_minute(actuator, clock, 3600.0 + 600.0) == [pytest.approx(v, abs=0.1) for v in
                                                                  [10.0 * k / 60 for k in range(1, 11)]]
    assert pump.status_calls == calls + 10


def test_without_a_backoff_every_read_is_sent():
    """A wall-clock rig (the bench): the timeout is the bench's own time, and a link that comes back is seen at once."""
    clock = VirtualClock()
    pump = CountingPump(clock)
    pump.error = DeviceTimeout("silent")
    _read_every_minute(PumpActuator(pump), clock, 3600.0)
    assert pump.status_calls == 60


@req("SR-ALM-004")
def test_a_run_whose_pump_link_drops_every_byte_stops_asking_the_dead_link_each_tick(tmp_path, monkeypatch):
    scenario = tmp_path / "dead-link.yaml"
    text = (CHECKOUT_BENCH_CONFIGS / "campaigns" / "scenarios" / "campaign-short-continuous.yaml").read_text()
    scenario.write_text(text.replace("duration_h: 3", "duration_h: 12").replace(
        "  - {at_h: 3.0, action: wait}",
        "  - {at_h: 1.5, action: inject_fault, device: pump, fault: drop_bytes, params: {count: 100000000}}\n"
        "  - {at_h: 12.0, action: wait}"))
    calls: list[float] = []
    original = NE1000Pump.status

    def counted(pump: NE1000Pump):  # noqa: ANN202
        calls.append(1.0)
        return original(pump)

    monkeypatch.setattr(NE1000Pump, "status", counted)
    result = run_scenario(scenario, CHECKOUT_BENCH_CONFIGS / "rigs" / "emulated-ne1000.yaml",
                          RunOptions(out_dir=tmp_path / "run"))
    assert result.outcome in ("FAIL", "ERROR") and "actuator_communication_loss" in (tmp_path / "run" / "record.jsonl"
                                                                                     ).read_text()
    assert len(calls) < 1.5 * 60 + 120 + 40  # the ticks before the fault and a few more: not one per tick (720)
