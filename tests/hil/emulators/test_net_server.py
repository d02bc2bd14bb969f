"""Emulators served on loopback TCP and RFC 2217: addresses, one host at a time, reconnecting, line settings that
reach the emulated line, the disconnect fault, and the project's SerialTransport on rfc2217:// URLs."""
from __future__ import annotations

import socket

import pytest
import serial

from drivers.transport import SerialTransport
from firmware_sim.clock import WallClock
from hil.emulators import EmulatedBalance, EmulatedNE1000, EmulatorError
from hil.emulators.net_address import ListenAddress, NetProtocol

pytestmark = pytest.mark.timeout(60)


@pytest.fixture()
def served():
    """served(device, listen) -> URL; stopped at teardown."""
    devices = []

    def start(device, listen: str) -> str:
        devices.append(device)
        return device.start(ListenAddress.parse(listen))

    yield start
    for device in devices:
        device.stop()


@pytest.mark.parametrize("text, expected", [
    ("127.0.0.1:0", ListenAddress(NetProtocol.RAW, "127.0.0.1", 0)),
    ("socket://localhost:4000", ListenAddress(NetProtocol.RAW, "localhost", 4000)),
    ("RFC2217://127.0.0.1:65535", ListenAddress(NetProtocol.RFC2217, "127.0.0.1", 65535)),
    ("rfc2217://[::1]:4001", ListenAddress(NetProtocol.RFC2217, "::1", 4001)),
])
def test_listen_addresses(text, expected):
    assert ListenAddress.parse(text) == expected


@pytest.mark.parametrize("text", ["127.0.0.1", ":4000", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                                  "127.0.0.1:4x", "telnet://127.0.0.1:4000", "127.0.0.1:" + "9" * 400])
def test_bad_listen_addresses_are_refused_naming_the_text(text):
    with pytest.raises(EmulatorError, match="--listen"):
        ListenAddress.parse(text)


def test_each_device_gets_the_next_port_or_a_free_one_again():
    assert ListenAddress.parse("127.0.0.1:4000").nth(1).url() == "socket://127.0.0.1:4001"
    assert ListenAddress.parse("rfc2217://[::1]:0").nth(1).url(5000) == "rfc2217://[::1]:5000"
    with pytest.raises(EmulatorError, match="65536"):
        ListenAddress.parse("127.0.0.1:65535").nth(1)


def _ask(port: serial.SerialBase, request: bytes, end: bytes) -> bytes:
    port.write(request)
    return port.read_until(end)


def test_one_host_at_a_time_and_the_next_host_after_it_leaves(served):
    url = served(EmulatedBalance(WallClock()), "127.0.0.1:0")
    host, port = url.removeprefix("socket://").rsplit(":", 1)
    first = serial.serial_for_url(url, timeout=3)
    assert _ask(first, b"I4\r\n", b"\r\n").startswith(b"I4 A ")
    with socket.create_connection((host, int(port)), timeout=3) as second:  # the port is busy: closed at once
        assert second.recv(16) == b""
    first.close()
    with serial.serial_for_url(url, timeout=3) as third:
        assert _ask(third, b"I4\r\n", b"\r\n").startswith(b"I4 A ")


def test_rfc2217_line_settings_reach_the_line_and_a_mismatch_passes_no_bytes(served):
    pump = EmulatedNE1000(WallClock())
    url = served(pump, "rfc2217://127.0.0.1:0")
    with serial.serial_for_url(url, baudrate=19200, timeout=0.5) as host:
        assert _ask(host, b"VER\r", b"\x03") == b"\x0200A?R\x03"
        host.baudrate = 9600
        host.parity = serial.PARITY_EVEN
        line = pump._server.line  # type: ignore[union-attr]
        assert (line.baudrate, line.parity) == (9600, serial.PARITY_EVEN)
        assert _ask(host, b"VER\r", b"\x03") == b""  # the pump talks 19200 8N1: nothing gets through
        host.parity = serial.PARITY_NONE
        assert _ask(host, b"VER\r", b"\x03") == b""
        host.baudrate = 19200
        assert _ask(host, b"VER\r", b"\x03") == b"\x0200SNE1000V3.928\x03"
        assert _ask(host, b"*ADR 0 B 9600\r", b"\x03") == b""  # 1.2: the reply already goes out at the new baud
        host.baudrate = 9600
        assert _ask(host, b"VER\r", b"\x03") == b"\x0200SNE1000V3.928\x03"


def test_raw_tcp_ignores_line_settings(served):
    url = served(EmulatedNE1000(WallClock()), "127.0.0.1:0")
    with serial.serial_for_url(url, baudrate=300, timeout=3) as host:
        assert _ask(host, b"VER\r", b"\x03") == b"\x0200A?R\x03"


def test_disconnect_fault_closes_the_connection_like_pulling_the_cable(served):
    pump = EmulatedNE1000(WallClock())
    url = served(pump, "127.0.0.1:0")
    with serial.serial_for_url(url, timeout=3) as host:
        assert _ask(host, b"VER\r", b"\x03") == b"\x0200A?R\x03"
        pump.inject_fault("disconnect")
        with pytest.raises(serial.SerialException):
            host.read(1)
    assert not pump.serving


def test_project_transport_reads_a_slow_reply_over_rfc2217(served):
    """The transport waits up to its timeout on an RFC 2217 port (in slices) for a reply held back 0.3 s."""
    pump = EmulatedNE1000(WallClock())
    url = served(pump, "rfc2217://127.0.0.1:0")
    transport = SerialTransport(url, baudrate=19200, timeout_s=3.0)
    transport.open()
    try:
        transport.write(b"VER\r")
        assert transport.read_until(b"\x03") == b"\x0200A?R\x03"
        pump.inject_fault("delay_bytes", count=1, delay_s=0.3)
        transport.write(b"VER\r")
        assert transport.read_until(b"\x03") == b"\x0200SNE1000V3.928\x03"
    finally:
        transport.close()
