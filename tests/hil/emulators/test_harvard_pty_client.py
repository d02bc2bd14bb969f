"""A minimal client written from the protocol description (protocols.md 2.1), not from drivers/harvard.py, talks to
EmulatedHarvard over a pty with plain pyserial: `[addr:]cmd args CR` out; lines `LF [addr] text CR` and an
unterminated `LF addr prompt` back. Also `itpump emulate harvard` as a separate process."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest
import serial

from firmware_sim.clock import VirtualClock

pytestmark = pytest.mark.timeout(60)
PROMPT = re.compile(rb"\n(\d\d)(T\*|[:<>*])$")


def ask(port: serial.Serial, line: str, timeout_s: float = 2.0) -> tuple[list[str], str]:
    """Send one command; read byte by byte until the data ends in a prompt (there is no terminator after it)."""
    port.write(line.encode("ascii") + b"\r\n")
    data = b""
    deadline = time.monotonic() + timeout_s
    while not PROMPT.search(data):
        assert time.monotonic() < deadline, f"no prompt after {line!r}: {data!r}"
        data += port.read(1)
    match = PROMPT.search(data)
    lines = [text.rstrip("\r")[3:] for text in data[: match.start()].decode("ascii").split("\n")[1:]]
    return lines, match.group(2).decode("ascii")


def test_a_protocol_client_drives_an_infusion_over_a_pty():
    from hil.emulators import EmulatedHarvard

    clock = VirtualClock()
    device = EmulatedHarvard(clock, address=3, syringe_volume_ul=1000.0)
    path = device.start()
    try:
        with serial.Serial(path, 115200, timeout=0.5) as port:
            assert ask(port, "3:ver") == (["11 ELITE I/W Single 3.0.4"], ":")
            assert ask(port, "3:diam 4.699") == ([], ":")
            assert ask(port, "3:irat 2 u/m") == ([], ":")
            assert ask(port, "3:irate") == (["2.0000 ul/min"], ":")
            assert ask(port, "3:irun") == ([], ">")
            clock.advance_s(300.0)
            assert ask(port, "3:ivol") == (["10.0000 ul"], ">")
            assert ask(port, "3:status") == (["33333333 300 10000000000 i...I"], ">")
            assert ask(port, "3:wibble") == (["Unknown command"], ">")
            port.write(b"4:irun\r")  # another pump's command: no answer on this line
            assert port.read(1) == b""
            assert ask(port, "3:stp") == ([], ":")
    finally:
        device.stop()


def test_itpump_emulate_harvard_serves_at_115200_baud_with_the_unterminated_prompt():
    process = subprocess.Popen([sys.executable, "-m", "hil.cli.main", "emulate", "harvard", "--dialect", "legato",
                                "--address", "5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        pump_line, describe_line = process.stdout.readline().strip(), process.stdout.readline().strip()
        assert pump_line.startswith("harvard: /dev/")
        assert describe_line.endswith("; legato dialect, address 5, 115200 baud")
        with serial.Serial(pump_line.split(": ", 1)[1], 115200, timeout=2) as port:
            port.write(b"5ver\r")
            expected = b"\n05 11 ELITE I/W Single 3.0.4\r\n05:"
            assert port.read(len(expected)) == expected
            port.timeout = 0.3
            assert port.read(1) == b""  # nothing follows the prompt
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
