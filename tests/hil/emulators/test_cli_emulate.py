"""`itpump emulate` as a separate process: path lines first, serves over the pty, exits on SIGINT."""
from __future__ import annotations

import binascii
import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Iterator

import pytest
import serial

from hil.cli.emulate import parse_fault
from hil.cli.main import main
from hil.emulators.faults import EmulatorError

pytestmark = pytest.mark.timeout(60)
RIGS = Path(__file__).resolve().parents[3] / "bench_configs" / "rigs"


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hil.cli.main", "emulate", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@contextlib.contextmanager
def served(*args: str, lines: int) -> Iterator[list[str]]:
    """Spawn `itpump emulate *args` and yield its first lines; SIGINT must then end it with exit code 0."""
    process = spawn(*args)
    try:
        yield [process.stdout.readline().strip() for _ in range(lines)]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.communicate()


def test_ne1000_with_balance_serves_until_sigint():
    with served("ne1000", "--with-balance", "--syringe-diameter-mm", "14.43", "--syringe-volume-ul", "10000",
                "--noise-sd-g", "0", lines=4) as (pump_line, balance_line, syringe_line, weighs_line):
        assert pump_line.startswith("ne1000: /dev/")
        assert balance_line.startswith("balance: /dev/")
        assert syringe_line == ("ne1000 emulates a syringe of 14.43 mm inner diameter and 10000 uL, filled with "
                                "10000 uL; basic mode")
        assert weighs_line == "balance weighs the outflow at a density of 1 g/mL"
        with serial.Serial(pump_line.split(": ", 1)[1], 19200, timeout=3) as pump:
            pump.write(b"0DIA\r")
            assert pump.read_until(b"\x03") == b"\x0200A?R\x03"
            pump.write(b"0DIA\r")
            assert pump.read_until(b"\x03") == b"\x0200S14.43\x03"
        with serial.Serial(balance_line.split(": ", 1)[1], 9600, timeout=3) as balance:
            balance.write(b"I4\r\n")
            assert balance.read_until(b"\r\n") == b'I4 A "0123456789"\r\n'


@pytest.mark.parametrize("device, protocol", [("balance", ""), ("sartorius", "speaks Sartorius SBI (8N1, 16-character "
                                                                       "lines) and ")])
def test_a_balance_emulated_alone_says_it_weighs_no_outflow_and_its_reading_stays(device, protocol):
    with served(device, "--noise-sd-g", "0", "--density-g-per-ml", "0.998", lines=2) as (path_line, weighs_line):
        assert weighs_line == (f"{device} {protocol}weighs no outflow (no emulated pump is linked to it, so nothing "
                               "flows onto its pan)")
        request, answer = (b"SI\r\n", b"\r\n") if device == "balance" else (b"\x1bP\r\n", b"\r\n")
        with serial.Serial(path_line.split(": ", 1)[1], 9600, timeout=3) as balance:
            readings = []
            for _ in range(2):
                balance.write(request)
                readings.append(balance.read_until(answer))
                time.sleep(1.0)
        assert readings[0].strip() and readings[0] == readings[1]


def test_bad_fault_is_reported_with_exit_code_2():
    process = spawn("grbl", "--fault", "melt")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "unknown fault 'melt'" in err


def test_fault_option_parsing():
    assert parse_fault("balance/unstable:duration_s=5", "ne1000") == ("balance", "unstable", {"duration_s": 5})
    assert parse_fault("corrupt_bytes:count=2,direction=from_host", "grbl") == (
        "grbl", "corrupt_bytes", {"count": 2, "direction": "from_host"})
    assert parse_fault("corrupt_bytes:xor_mask=0x01,count=010", "ne1000")[2] == {"xor_mask": 1, "count": 10}
    with pytest.raises(EmulatorError, match="parameter 'count' given twice"):
        parse_fault("corrupt_bytes:count=2,count=3", "ne1000")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_device_that_stops_serving_by_itself_ends_the_command_as_error_exit_3(monkeypatch, capsys):
    from hil.cli import emulate
    from hil.cli.main import build_parser
    from hil.emulators.device import EmulatedDevice

    def broken_tick(self):
        raise RuntimeError("model error in the serving thread")

    monkeypatch.setattr(EmulatedDevice, "_on_tick", broken_tick)
    args = build_parser().parse_args(["emulate", "ne1000", "--with-balance"])
    assert emulate.run(args) == 3
    err = capsys.readouterr().err
    assert "ne1000 stopped serving: RuntimeError('model error in the serving thread')" in err


def test_a_disconnect_fault_closes_that_device_only_and_the_others_keep_serving():
    """It ended every device and exited 3 with nothing on stderr: a balance unplugged on a wall-clock bench run took
    the pump's pty with it."""
    process = spawn("ne1000", "--with-balance", "--fault", "balance/disconnect:at_s=1")
    try:
        pump_path = process.stdout.readline().strip().split(": ", 1)[1]
        balance_path = process.stdout.readline().strip().split(": ", 1)[1]
        deadline = time.monotonic() + 20
        while Path(balance_path).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(balance_path).exists()  # the balance's end is closed, like its cable pulled
        time.sleep(0.5)
        assert process.poll() is None  # and the pump is still served
        with serial.Serial(pump_path, 19200, timeout=3) as pump:
            pump.write(b"0DIA\r")
            assert pump.read_until(b"\x03").startswith(b"\x0200")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == 0
    assert "balance disconnected at t=" in err and "the other devices keep serving" in err


def test_when_every_device_is_disconnected_the_command_ends_with_exit_0():
    process = spawn("grbl", "--fault", "disconnect:at_s=0.5")
    try:
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == 0 and "no device is left serving" in err


def safe_packet(text: str) -> bytes:
    data = text.encode()
    return bytes([2, len(data) + 4]) + data + binascii.crc_hqx(data, 0).to_bytes(2, "big") + b"\x03"


def test_rig_option_emulates_the_rigs_syringe_safe_mode_and_balance_and_says_so():
    with served("ne1000", "--rig", str(RIGS / "bench-ne1000-usb.yaml"), lines=4) as lines:
        assert lines[0].startswith("ne1000: /dev/") and lines[1].startswith("balance: /dev/")  # the rig has one
        assert lines[2] == ("ne1000 emulates a syringe of 14.43 mm inner diameter and 10000 uL, filled with 10000 uL; "
                            "safe mode, watchdog 10 s")
        assert lines[3] == "balance weighs the outflow at a density of 0.998 g/mL"
        with serial.Serial(lines[0].split(": ", 1)[1], 19200, timeout=3) as pump:
            pump.write(safe_packet("0DIA"))  # framed: the pump is in safe mode from power-up
            assert pump.read_until(b"\x03") == safe_packet("00A?R")
            pump.timeout = 0.5  # the power-up broadcast too, unless it came before the port was opened (flushed)
            assert pump.read_until(b"\x03") in (safe_packet("00A?R"), b"")
            pump.timeout = 3
            pump.write(safe_packet("0DIA"))
            assert pump.read_until(b"\x03") == safe_packet("00S14.43")


def test_command_line_options_override_the_rigs_and_an_emulated_rigs_own_options_are_kept():
    from firmware_sim.clock import WallClock
    from hil.cli import emulate
    from hil.cli.main import build_parser

    args = build_parser().parse_args(["emulate", "ne1000", "--rig", str(RIGS / "emulated-ne1000.yaml"),
                                      "--syringe-diameter-mm", "4.699"])
    devices = emulate.build_devices(args, WallClock())
    pump, balance = devices["ne1000"].config, devices["balance"].config
    assert (pump.syringe_diameter_mm, pump.syringe_volume_ul, pump.safe_mode_timeout_s) == (4.699, 10000, 10)
    assert (balance.seed, balance.density_g_per_ml) == (2, 0.998)  # emulators.balance.options and the rig's balance


def test_rig_of_another_pump_or_a_bad_rig_file_is_exit_code_2_naming_it(tmp_path):
    process = spawn("grbl", "--rig", str(RIGS / "bench-ne1000-usb.yaml"))
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "the rig's pump is ne1000 (pump.driver), not grbl" in err
    bad = tmp_path / "rig.yaml"
    bad.write_text((RIGS / "bench-ne1000-usb.yaml").read_text().replace("volume_ul: 10000", "volume_ul: -1"))
    process = spawn("ne1000", "--rig", str(bad))
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "rig.yaml:" in err and "volume_ul" in err


@pytest.mark.parametrize("argv, option", [
    (["harvard", "--safe-mode-timeout-s", "10"], "--safe-mode-timeout-s"),
    (["ne1000", "--dialect", "legato"], "--dialect"),
    (["ne1000", "--steps-per-mm", "80"], "--steps-per-mm"),
    (["sartorius", "--balance-protocol", "mt-sics"], "--balance-protocol"),
])
def test_an_option_no_emulated_device_takes_is_refused_not_ignored(argv, option, capsys):
    assert main(["emulate", *argv]) == 2
    err = capsys.readouterr().err
    assert f"{option} does not apply to what is emulated here" in err


def test_a_listen_port_range_too_short_for_every_device_is_refused_before_any_is_served(capsys):
    assert main(["emulate", "harvard", "--with-balance", "--listen", "127.0.0.1:65535"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "would need port 65536" in err
