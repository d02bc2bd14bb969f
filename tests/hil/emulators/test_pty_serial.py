"""The emulators over real pseudo-terminals, talked to with plain pyserial (raw bytes, no drivers)."""
from __future__ import annotations

import time

import pyvisa
import pytest
import serial

from firmware_sim.clock import VirtualClock, WallClock
from hil.emulators import EmulatedBalance, EmulatedGrbl, EmulatedNE1000
from hil.emulators.ne1000_framing import encode_safe

pytestmark = pytest.mark.timeout(30)


def read_until(port: serial.Serial, terminator: bytes, timeout_s: float = 2.0) -> bytes:
    port.timeout = timeout_s
    return port.read_until(terminator)


@pytest.fixture
def started():
    devices = []

    def start(device):
        device.transact(b"")  # boot output before any host listens is lost, as on the real line
        devices.append(device)
        return device.start()

    yield start
    for device in devices:
        device.stop()


def test_ne1000_basic_and_safe_over_pty(started):
    clock = VirtualClock()
    pump = EmulatedNE1000(clock)
    with serial.Serial(started(pump), 19200, timeout=2) as port:
        port.write(b"0\r")
        assert read_until(port, b"\x03") == b"\x0200A?R\x03"
        port.write(b"0 RAT 100 UH\r")
        assert read_until(port, b"\x03") == b"\x0200S\x03"
        port.write(encode_safe(b"0SAF5") + b"")
        assert port.read(8) == encode_safe(b"00S")
        port.write(encode_safe(b"RUN"))
        assert port.read(8) == encode_safe(b"00I")
        clock.advance_s(6)  # no heartbeat: watchdog expires, auto-alarm arrives unasked
        assert port.read(10) == encode_safe(b"00A?T")
        assert pump.dispensed_volume_ul() == pytest.approx(100 * 5 / 3600)


def test_thirty_virtual_days_over_pty(started):
    clock = VirtualClock()
    pump = EmulatedNE1000(clock, syringe_volume_ul=1000)
    with serial.Serial(started(pump), timeout=2) as port:
        port.write(b"\r")
        read_until(port, b"\x03")
        port.write(b"RAT 1.0 UH\rRUN\r")
        assert read_until(port, b"\x03") + read_until(port, b"\x03") == b"\x0200S\x03\x0200I\x03"
        clock.advance_s(30 * 86400)
        port.write(b"DIS\r")
        assert read_until(port, b"\x03") == b"\x0200II720.0W0.000UL\x03"


def test_grbl_banner_ok_and_status_over_pty(started):
    clock = VirtualClock()
    grbl = EmulatedGrbl(clock)
    path = started(grbl)
    with serial.Serial(path, 115200, timeout=2) as port:
        port.write(b"\x18")
        assert read_until(port, b"help]\r\n") == b"\r\nGrbl 1.1h ['$' for help]\r\n"
        port.write(b"G91 G1 X1 F60\n")
        assert read_until(port, b"\r\n") == b"ok\r\n"
        clock.advance_s(0.5)
        port.write(b"?")
        assert read_until(port, b"\r\n") == b"<Run|MPos:0.500,0.000,0.000|FS:60,0>\r\n"


def test_balance_through_pyvisa_py_asrl_pty(started):
    clock = VirtualClock()
    pump = EmulatedNE1000(clock, syringe_diameter_mm=14.43, syringe_volume_ul=10000, fill_volume_ul=5000)
    balance = EmulatedBalance(clock, pump.dispensed_volume_ul, noise_sd_g=0.0)
    path = started(balance)
    pump.transact(b"\r")
    pump.transact(b"RAT 1 MH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(3600)
    pump.transact(b"STP\r")
    rm = pyvisa.ResourceManager("@py")
    resource = rm.open_resource(f"ASRL{path}::INSTR", read_termination="\r\n", write_termination="\r\n",
                                timeout=3000)
    try:
        assert resource.query("I4") == 'I4 A "0123456789"'
        assert resource.query("S") == "S S     1.0000 g"
    finally:
        resource.close()
        rm.close()


def test_host_disconnect_and_reconnect(started):
    pump = EmulatedNE1000(VirtualClock())
    path = started(pump)
    with serial.Serial(path, timeout=2) as port:
        port.write(b"\r")
        assert read_until(port, b"\x03") == b"\x0200A?R\x03"
    time.sleep(0.05)  # the emulator sees EIO while no host has the port open
    with serial.Serial(path, timeout=2) as port:
        port.write(b"\r")
        assert read_until(port, b"\x03") == b"\x0200S\x03"
    assert pump.serving


def test_disconnect_fault_looks_like_usb_unplug(started):
    pump = EmulatedNE1000(VirtualClock())
    with serial.Serial(started(pump), timeout=2) as port:
        pump.inject_fault("disconnect")
        deadline = time.monotonic() + 5
        with pytest.raises(serial.SerialException):
            while time.monotonic() < deadline:
                port.write(b"\r")
                port.read(1)
    deadline = time.monotonic() + 5  # the serving thread lets go of the port, then marks itself stopped
    while pump.serving and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not pump.serving


def test_delay_fault_holds_the_reply_back(started):
    balance = EmulatedBalance(VirtualClock(), None, noise_sd_g=0.0)
    with serial.Serial(started(balance), timeout=2) as port:
        balance.inject_fault("delay_bytes", delay_s=0.5)
        port.write(b"SI\r\n")
        port.timeout = 0.1
        assert port.read(3) == b""  # nothing yet
        assert read_until(port, b"\r\n") == b"S S     0.0000 g\r\n"


def test_byte_timing_can_be_switched_on(started):
    """Prints the ratio of round-trip times; asserts only the ordering of bytes, not the time."""
    results = {}
    for byte_timing in (False, True):
        balance = EmulatedBalance(WallClock(), None, noise_sd_g=0.0, baud=9600, byte_timing=byte_timing)
        with serial.Serial(started(balance), timeout=2) as port:
            port.write(b"SI\r\n")  # warm-up: the first exchange may meet the server between polls
            assert read_until(port, b"\r\n") == b"S S     0.0000 g\r\n"
            t0 = time.perf_counter()
            port.write(b"SI\r\n")
            assert read_until(port, b"\r\n") == b"S S     0.0000 g\r\n"
            results[byte_timing] = time.perf_counter() - t0
    wire_s = (4 + 18) * 10 / 9600
    print(f"SI round trip: off {results[False] * 1e3:.2f} ms, on {results[True] * 1e3:.2f} ms, "
          f"wire time {wire_s * 1e3:.2f} ms")
