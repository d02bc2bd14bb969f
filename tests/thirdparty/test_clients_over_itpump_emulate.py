"""The clients written from the protocol descriptions against `itpump emulate --listen` processes: a pump and the
balance weighing its outflow over RFC 2217 (each at its own baud rate), and GRBL over raw TCP."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from grbl_manual_client import ManualGrblClient
from mtsics_manual_client import ManualMTSICSClient
from ne1000_manual_client import ManualNE1000Client, parse_dispensed

pytestmark = pytest.mark.timeout(120)


@pytest.fixture()
def emulate():
    """emulate(*args) -> [URL per device] of `itpump emulate *args`, ended with SIGINT (exit 0) at teardown."""
    processes = []

    def start(*args: str, devices: int) -> list[str]:
        process = subprocess.Popen([sys.executable, "-m", "hil.cli.main", "emulate", *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        return [process.stdout.readline().strip().split(": ", 1)[1] for _ in range(devices)]  # type: ignore

    yield start
    for process in processes:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=10) == 0
        finally:
            process.kill()
            process.wait()


def test_pump_and_balance_over_rfc2217(emulate, closing):
    pump_url, balance_url = emulate("ne1000", "--with-balance", "--noise-sd-g", "0",
                                    "--listen", "rfc2217://127.0.0.1:0", devices=2)
    assert pump_url.startswith("rfc2217://") and balance_url.startswith("rfc2217://")
    wrong_baud = closing(ManualNE1000Client(pump_url, baudrate=9600, timeout_s=0.5))
    with pytest.raises(AssertionError, match="expected STX"):
        wrong_baud.send("VER")  # the pump talks at 19200: at 9600 nothing it says arrives
    wrong_baud.close()
    pump = closing(ManualNE1000Client(pump_url, baudrate=19200))
    balance = closing(ManualMTSICSClient(balance_url, baudrate=9600))
    assert balance.query("Z") == "Z A"
    assert pump.command("RAT 0.8 MM").error is None and pump.command("RUN").prompt == "I"
    time.sleep(1.0)
    assert pump.command("STP").prompt == "P"
    infused, _, units = parse_dispensed(pump.command("DIS").data)
    infused_ul = infused * (1000.0 if units == "ML" else 1.0)
    weighed = balance.weight("S")
    assert weighed.status == "S" and weighed.unit == "g"
    assert weighed.value == pytest.approx(infused_ul / 1000, abs=0.0002)  # density 1 g/mL, readability 0.1 mg
    assert infused_ul > 0


def test_grbl_over_raw_tcp(emulate, closing):
    (url,) = emulate("grbl", "--listen", "127.0.0.1:0", devices=1)
    grbl = closing(ManualGrblClient(url))
    grbl.port.write(b"\x18")  # soft reset: its banner; the power-up banner may come first if we connected early
    grbl.wait_for_banner()
    assert grbl.send_line("").ok  # an empty line: a second banner, if any, is pushed before its ok
    assert grbl.status().state == "Idle"
    assert grbl.send_line("G99").error_code == 20
