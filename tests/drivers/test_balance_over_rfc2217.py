"""A balance served by `itpump emulate --listen rfc2217://...`, opened by our drivers through pyvisa-py as
`ASRLrfc2217://HOST:PORT::INSTR` (drivers.url_handlers: pyserial's RFC 2217 client refused the write timeout
pyvisa-py sets). The line settings the driver asks for reach the emulated line: a Sartorius set to 7O1 answers a
7O1 host and stays silent to an 8N1 one, as on a real UART."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from drivers.errors import DeviceTimeout
from drivers.mtsics import MTSICSBalance
from drivers.sartorius import SartoriusBalance

pytestmark = pytest.mark.timeout(120)


@pytest.fixture()
def emulate():
    """emulate(*args) -> the URL `itpump emulate *args --listen rfc2217://127.0.0.1:0` prints; SIGINT at teardown."""
    processes = []

    def start(*args: str) -> str:
        process = subprocess.Popen(
            [sys.executable, "-m", "hil.cli.main", "emulate", *args, "--listen", "rfc2217://127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        line = process.stdout.readline().strip()  # type: ignore[union-attr]
        assert ": rfc2217://127.0.0.1:" in line, (line, process.stderr.read() if process.poll() is not None else "")
        return line.split(": ", 1)[1]

    yield start
    for process in processes:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=10) == 0
        finally:
            process.kill()
            process.wait()


def visa_resource(url: str) -> str:
    return f"ASRL{url}::INSTR"


def test_mtsics_balance_over_rfc2217_reads_a_weight(emulate):
    balance = MTSICSBalance(visa_resource(emulate("balance", "--noise-sd-g", "0")), "@py", timeout_s=3.0)
    balance.open()
    try:
        assert balance.serial_number()
        reading = balance.read_mass_immediately()
        assert reading.stable and reading.mass_g == pytest.approx(0.0, abs=1e-3)
        assert balance.read_stable_mass_g() == pytest.approx(0.0, abs=1e-3)
    finally:
        balance.close()


def test_an_mtsics_balance_at_another_baud_rate_stays_silent(emulate):
    balance = MTSICSBalance(visa_resource(emulate("balance")), "@py", timeout_s=0.5, baud_rate=19200)
    balance.open()
    try:
        with pytest.raises(DeviceTimeout):
            balance.read_mass_immediately()  # the emulated balance talks at 9600: nothing passes at 19200
    finally:
        balance.close()


@pytest.mark.parametrize("framing", ["7O1", "8N1"])
def test_sartorius_over_rfc2217_answers_in_its_own_framing_only(emulate, framing):
    other = "8N1" if framing == "7O1" else "7O1"
    resource = visa_resource(emulate("sartorius", "--framing", framing, "--noise-sd-g", "0"))
    matching = SartoriusBalance(resource, "@py", timeout_s=3.0, framing=framing)  # type: ignore[arg-type]
    matching.open()
    try:
        assert matching.model()
        reading = matching.read_mass_immediately()
        assert reading.mass_g == pytest.approx(0.0, abs=1e-3)
    finally:
        matching.close()
    wrong = SartoriusBalance(resource, "@py", timeout_s=0.5, framing=other)  # type: ignore[arg-type]
    wrong.open()
    try:
        with pytest.raises(DeviceTimeout):
            wrong.read_mass_immediately()
    finally:
        wrong.close()
