"""A test client written from protocols.md 4.2 (not from drivers/sartorius.py) talks SBI to the emulator over a
pty with plain pyserial: `ESC P` CR LF out, 16 fixed-width characters back, read by position."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import serial

from firmware_sim.clock import VirtualClock

pytestmark = pytest.mark.timeout(60)


class SbiClient:
    """Position 1 sign, 2 space, 3-10 value, 11 space, 12-14 unit or spaces, 15 CR, 16 LF."""

    def __init__(self, port: serial.Serial) -> None:
        self.port = port

    def print_line(self) -> bytes:
        self.port.write(b"\x1bP\r\n")
        line = self.port.read_until(b"\r\n")
        assert len(line) == 16, line
        return line

    def weight(self) -> tuple[float, str]:
        line = self.print_line().decode("ascii")
        assert line[0] in "+- " and line[1] == " " and line[10] == " " and line[14:] == "\r\n", line
        value = float(line[2:10])
        return (-value if line[0] == "-" else value), line[11:14].strip()


@pytest.fixture
def served():
    devices = []

    def serve(device) -> serial.Serial:
        devices.append(device)
        return serial.Serial(device.start(), 9600, timeout=2)

    yield serve
    for device in devices:
        device.stop()


def test_client_reads_weights_specials_and_identity_over_a_pty(served):
    from hil.emulators import EmulatedSartorius

    clock = VirtualClock()
    device = EmulatedSartorius(clock, noise_sd_g=0.0, framing="7O1")
    with served(device) as port:
        client = SbiClient(port)
        assert client.weight() == (0.0, "g")
        device.add_load_g(-0.5)
        clock.advance_s(10.0)
        assert client.weight() == (-0.5, "g")
        device.inject_fault("overload", duration_s=1.0)
        assert client.print_line().decode("ascii").strip() == "High"
        clock.advance_s(1.0)
        device.inject_fault("error_code", code=3)
        assert client.print_line().decode("ascii").split() == ["Err", "03"]
        device.inject_fault("power_reset")  # clears the error; self-test for power_up_time_s: no answer
        port.write(b"\x1bP\r\n")
        port.timeout = 0.3
        assert port.read(16) == b""
        clock.advance_s(1.0)
        port.timeout = 2
        assert client.weight() == (0.0, "g")
        port.write(b"\x1bx2_\r\n")
        assert port.read_until(b"\r\n") == b"    0037512345\r\n"


def test_itpump_emulate_sartorius_serves_7o1_lines_until_sigint():
    process = subprocess.Popen([sys.executable, "-m", "hil.cli.main", "emulate", "sartorius", "--framing", "7O1",
                                "--noise-sd-g", "0", "--fault", "unstable:duration_s=3600"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        path_line, describe_line = process.stdout.readline().strip(), process.stdout.readline().strip()
        assert path_line.startswith("sartorius: /dev/")
        assert describe_line.startswith("sartorius speaks Sartorius SBI (7O1, 16-character lines)")
        with serial.Serial(path_line.split(": ", 1)[1], 9600, timeout=3) as port:
            value_g, unit = SbiClient(port).weight()
            assert value_g == 0.0 and unit == ""  # unstable: blank unit field
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def test_framing_option_without_an_sbi_balance_is_exit_code_2():
    process = subprocess.run([sys.executable, "-m", "hil.cli.main", "emulate", "ne1000", "--with-balance",
                              "--framing", "7O1"], capture_output=True, text=True, timeout=30)
    assert process.returncode == 2
    assert "--framing 7O1: only a Sartorius SBI balance" in process.stderr


def test_with_balance_serves_the_chosen_protocol_as_the_balance_device():
    from hil.cli.emulate import build_devices
    from hil.cli.main import build_parser
    from firmware_sim.clock import WallClock
    from hil.emulators import EmulatedBalance, EmulatedSartorius

    def built(*argv):
        return build_devices(build_parser().parse_args(["emulate", *argv]), WallClock())

    assert type(built("ne1000", "--with-balance")["balance"]) is EmulatedBalance
    devices = built("ne1000", "--with-balance", "--balance-protocol", "sartorius-sbi", "--framing", "7O1")
    assert isinstance(devices["balance"], EmulatedSartorius) and devices["balance"].config.framing == "7O1"
    rig_devices = built("ne1000", "--rig", "emulated-ne1000-sartorius")
    assert isinstance(rig_devices["balance"], EmulatedSartorius)
    assert rig_devices["balance"].config.framing == "7O1" and rig_devices["balance"].config.seed == 2
