"""`itpump emulate` as a separate process: path lines first, serves over the pty, exits on SIGINT."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import serial

from hil.cli.emulate import parse_fault

pytestmark = pytest.mark.timeout(60)


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hil.cli.main", "emulate", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_ne1000_with_balance_serves_until_sigint():
    process = spawn("ne1000", "--with-balance", "--syringe-diameter-mm", "14.43",
                    "--syringe-volume-ul", "10000", "--noise-sd-g", "0")
    try:
        pump_line, balance_line = process.stdout.readline(), process.stdout.readline()
        assert pump_line.startswith("ne1000: /dev/")
        assert balance_line.startswith("balance: /dev/")
        with serial.Serial(pump_line.split(": ", 1)[1].strip(), 19200, timeout=3) as pump:
            pump.write(b"0DIA\r")
            assert pump.read_until(b"\x03") == b"\x0200A?R\x03"
            pump.write(b"0DIA\r")
            assert pump.read_until(b"\x03") == b"\x0200S14.43\x03"
        with serial.Serial(balance_line.split(": ", 1)[1].strip(), 9600, timeout=3) as balance:
            balance.write(b"I4\r\n")
            assert balance.read_until(b"\r\n") == b'I4 A "0123456789"\r\n'
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def test_bad_fault_is_reported_with_exit_code_2():
    process = spawn("grbl", "--fault", "melt")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "unknown fault 'melt'" in err


def test_fault_option_parsing():
    assert parse_fault("balance/unstable:duration_s=5", "ne1000") == ("balance", "unstable", {"duration_s": 5})
    assert parse_fault("corrupt_bytes:count=2,direction=from_host", "grbl") == (
        "grbl", "corrupt_bytes", {"count": 2, "direction": "from_host"})


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
