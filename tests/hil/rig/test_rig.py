"""Rig construction from config: emulators on ptys, pump and balance opened, teardown in reverse order."""
from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.clock import VirtualClock
from hil.config.loading import load_model
from hil.config.rig import RigConfig
from hil.rig import Rig, RigError
from hil.rig.clocks import CompressedWallClock

RIGS = Path(__file__).resolve().parents[3] / "bench_configs" / "rigs"
pytestmark = pytest.mark.timeout(60)


def rig_config(name: str, **changes: object) -> RigConfig:
    config = load_model(RIGS / f"{name}.yaml", RigConfig)
    return config.model_copy(update=changes) if changes else config


@pytest.mark.parametrize("name", ["emulated-ne1000", "emulated-grbl"])
def test_emulated_rig_pumps_through_the_pty_in_virtual_time(name: str) -> None:
    with Rig(rig_config(name), syringe_fill_ul=5000) as rig:
        assert isinstance(rig.clock, VirtualClock)
        assert rig.emulator("pump").path.startswith("/dev/")
        rig.pump.set_rate_ul_per_h(600.0)
        rig.pump.start()
        for minute in range(1, 61):  # polled like the firmware's supervision (feeds the NE-1000 watchdog)
            rig.clock.sleep_until_s(60.0 * minute)
            status = rig.pump.status()
        assert status.running
        assert status.infused_ul == pytest.approx(600.0, rel=0.01)
        assert rig.emulator("pump").dispensed_volume_ul() == pytest.approx(600.0, rel=0.01)
        reading = rig.balance.read_mass_immediately()
        assert reading.mass_g == pytest.approx(0.6 * 0.998, rel=0.05)


@pytest.mark.requirements("SR-HIL-001")
def test_teardown_stops_the_pump_then_stops_the_emulators_even_on_keyboard_interrupt() -> None:
    rig = Rig(rig_config("emulated-ne1000"))
    with pytest.raises(KeyboardInterrupt), rig:
        rig.pump.set_rate_ul_per_h(1000.0)
        rig.pump.start()
        rig.clock.sleep_until_s(60.0)
        pump_emulator = rig.emulator("pump")
        raise KeyboardInterrupt
    assert not rig.is_open
    assert rig.teardown_errors == []
    dispensed_at_close = pump_emulator.dispensed_volume_ul()
    rig.clock.sleep_until_s(3600.0)
    assert pump_emulator.dispensed_volume_ul() == pytest.approx(dispensed_at_close, abs=1e-9)  # stopped
    assert not pump_emulator.serving
    assert not rig.emulator("balance").serving


def test_unknown_emulator_option_is_a_rig_error_naming_it() -> None:
    config = load_model(RIGS / "emulated-ne1000.yaml", RigConfig)
    emulators = dict(config.emulators)
    emulators["pump"] = emulators["pump"].model_copy(update={"options": {"colour": "red"}})
    with pytest.raises(RigError, match=r"emulators\.pump\.options: unknown option\(s\) \['colour'\]"):
        Rig(config.model_copy(update={"emulators": emulators})).open()


def test_unknown_emulator_name_is_refused() -> None:
    with Rig(rig_config("emulated-ne1000")) as rig, pytest.raises(RigError, match="no emulator 'scale'"):
        rig.emulator("scale")


def test_bench_port_that_does_not_exist_is_a_rig_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ITPUMP_PUMP_PORT", str(tmp_path / "no-such-port"))
    with pytest.raises(RigError, match="no-such-port"):
        Rig(load_model(RIGS / "bench-ne1000-usb.yaml", RigConfig)).open()


@pytest.mark.requirements("SR-HIL-002")
def test_time_compression_is_checked_against_the_rig() -> None:
    with pytest.raises(RigError, match="wall-clock rigs only"):
        Rig(rig_config("emulated-ne1000"), time_compression_factor=10)
    bench = load_model(RIGS / "bench-grbl.yaml", RigConfig)
    with pytest.raises(RigError, match=r"exceeds the rig's time_compression\.max_factor 100"):
        Rig(bench, time_compression_factor=500)
    rig = Rig(bench, time_compression_factor=50)
    assert isinstance(rig.clock, CompressedWallClock) and rig.clock.factor == 50


def test_syringe_fill_must_fit_the_syringe() -> None:
    with pytest.raises(RigError, match="does not fit"):
        Rig(rig_config("emulated-ne1000"), syringe_fill_ul=20000)


def _with_pump_emulator_options(**options: object) -> RigConfig:
    config = rig_config("emulated-ne1000")
    emulators = dict(config.emulators)
    emulators["pump"] = emulators["pump"].model_copy(update={"options": options})
    return config.model_copy(update={"emulators": emulators})


def test_a_pump_set_for_another_syringe_is_set_to_the_rigs_and_that_is_an_open_finding() -> None:
    with Rig(rig_config("emulated-ne1000")) as rig:
        assert rig.open_findings == []  # the emulator's syringe is the rig's
    with Rig(_with_pump_emulator_options(syringe_diameter_mm=4.699)) as rig:
        assert rig.open_findings == ["pump: NE-1000 was set for a 4.699 mm syringe; set to 14.43 mm"]
        assert rig.pump.syringe_diameter_mm() == pytest.approx(14.43)


@pytest.mark.requirements("SR-DRV-011")
def test_a_pump_that_reports_another_syringe_than_the_rigs_is_refused_at_open_naming_both(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from drivers.ne1000 import NE1000Pump

    monkeypatch.setattr(NE1000Pump, "syringe_diameter_mm", lambda self: 4.699)  # a pump that ignores DIA
    rig = Rig(rig_config("emulated-ne1000"))
    with pytest.raises(RigError, match=r"rig syringe.diameter_mm 14.43 mm.*DIA14.43 but reports a 4.699 mm syringe"):
        rig.open()
    assert not rig.is_open and rig.teardown_errors == []


@pytest.mark.requirements("SR-HIL-001")
@pytest.mark.parametrize("answer", [b"", b"\x00\xffgarbage\r\n"])
def test_a_balance_port_that_opens_but_gives_no_weight_is_a_rig_error_at_open(answer: bytes) -> None:
    import os
    import threading

    controller, device = os.openpty()
    stop = threading.Event()

    def device_end() -> None:  # silent, or garbage to every request
        while not stop.is_set():
            try:
                if os.read(controller, 64) and answer:
                    os.write(controller, answer)
            except OSError:
                return

    thread = threading.Thread(target=device_end, daemon=True)
    thread.start()
    config = rig_config("emulated-ne1000")
    balance = config.balance.model_copy(update={"resource": f"ASRL{os.ttyname(device)}::INSTR", "timeout_s": 0.3})
    config = config.model_copy(update={"balance": balance,
                                       "emulators": {"pump": config.emulators["pump"]}})
    try:
        with pytest.raises(RigError, match=r"balance \(ASRL/dev/.*\) gave no weight reading at open"):
            Rig(config).open()
    finally:
        stop.set()
        os.close(controller)
        os.close(device)
