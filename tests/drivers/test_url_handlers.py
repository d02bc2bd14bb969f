"""drivers.url_handlers: our rfc2217:// handler comes first in pyserial's search list, accepts a write timeout and
enforces it on the socket (a server that stops reading makes a write time out), and renegotiates line settings only
when one changes. Other schemes still reach pyserial's own handlers."""
from __future__ import annotations

import socket
import threading

import pytest
import serial
import serial.rfc2217

from drivers.url_handlers import protocol_rfc2217, register_url_handlers
from drivers.url_handlers.protocol_rfc2217 import splits_escaped_iac
from hil.emulators.net_server import EmulatedLine

pytestmark = pytest.mark.timeout(60)


class StallingServer:
    """An RFC 2217 server (pyserial's PortManager) on loopback that answers the negotiation, then stops reading
    when told to (the connection stays open), so the client's TCP send buffer fills."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"rfc2217://127.0.0.1:{self.listener.getsockname()[1]}"
        self.stop_reading = threading.Event()
        self.sock: socket.socket | None = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        sock, _ = self.listener.accept()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock = sock
        manager = serial.rfc2217.PortManager(EmulatedLine(9600), self)  # type: ignore[arg-type]
        sock.settimeout(0.02)
        while not self.stop_reading.is_set():
            try:
                data = sock.recv(4096)
            except TimeoutError:
                continue
            if not data:
                return
            for _ in manager.filter(data):
                pass

    def write(self, data: bytes) -> None:  # PortManager answers through this
        assert self.sock is not None
        self.sock.sendall(data)

    def close(self) -> None:
        self.stop_reading.set()
        self.thread.join(5)
        if self.sock is not None:
            self.sock.close()
        self.listener.close()


@pytest.fixture()
def server():
    served = StallingServer()
    yield served
    served.close()


def test_registered_first_once_and_other_schemes_still_reach_pyserial():
    register_url_handlers()
    register_url_handlers()
    assert serial.protocol_handler_packages[0] == "drivers.url_handlers"
    assert serial.protocol_handler_packages.count("drivers.url_handlers") == 1
    port = serial.serial_for_url("rfc2217://127.0.0.1:1", do_not_open=True, write_timeout=1.0)
    assert type(port) is protocol_rfc2217.Serial and isinstance(port, serial.rfc2217.Serial)
    loop = serial.serial_for_url("loop://", do_not_open=True)
    assert loop.__class__.__module__ == "serial.urlhandler.protocol_loop"


def test_a_write_timeout_is_accepted_and_a_server_that_stops_reading_makes_a_write_time_out(server):
    register_url_handlers()
    port = serial.serial_for_url(server.url, write_timeout=0.2, timeout=0.1)
    try:
        assert port.write(b"I4\r\n") == 4  # the server reads: sent at once
        server.stop_reading.set()
        with pytest.raises(serial.SerialTimeoutException, match="Write timeout"):
            for _ in range(64):  # 64 MB at most: loopback buffers hold a few MB
                port.write(b"x" * (1 << 20))
    finally:
        port.close()


def test_without_a_write_timeout_it_writes_as_pyserial_does(server):
    register_url_handlers()
    port = serial.serial_for_url(server.url, timeout=0.1)
    try:
        assert port.write_timeout is None and port.write(b"\xffS\r\n") == 4
    finally:
        port.close()


def test_line_settings_are_renegotiated_when_they_change_and_not_for_a_timeout(server, monkeypatch):
    register_url_handlers()
    port = serial.serial_for_url(server.url, write_timeout=1.0, timeout=0.1)
    negotiations = []
    original = serial.rfc2217.Serial._reconfigure_port  # type: ignore[attr-defined]
    monkeypatch.setattr(serial.rfc2217.Serial, "_reconfigure_port",
                        lambda self: (negotiations.append(self.baudrate), original(self))[1])
    try:
        port.timeout = 0.5
        port.write_timeout = 2.0
        assert negotiations == []
        port.baudrate = 19200
        assert negotiations == [19200]
    finally:
        port.close()


@pytest.mark.parametrize(("escaped", "sent_bytes", "split"), [
    (b"ab\xff\xffcd", 2, False), (b"ab\xff\xffcd", 3, True), (b"ab\xff\xffcd", 4, False),
    (b"\xff\xff\xff\xff", 1, True), (b"\xff\xff\xff\xff", 2, False), (b"\xff\xff\xff\xff", 3, True),
    (b"abc", 0, False),
])
def test_a_cut_inside_a_doubled_iac_is_recognised(escaped, sent_bytes, split):
    assert splits_escaped_iac(escaped, sent_bytes) is split


@pytest.mark.parametrize("write_timeout_s", [1.0, None])
def test_the_half_iac_a_timed_out_write_left_goes_first_in_the_next_write(write_timeout_s):
    port = protocol_rfc2217.Serial(None, write_timeout=write_timeout_s)
    ours, theirs = socket.socketpair()
    try:
        port._socket, port._write_lock, port.is_open = ours, threading.Lock(), True  # an open connection, no telnet
        port._unsent_iac = serial.rfc2217.IAC  # what a write cut between the two bytes of a doubled IAC leaves
        assert port.write(b"a\xff") == 2
        assert theirs.recv(16) == b"\xff" + b"a\xff\xff"
        assert port.write(b"b") == 1 and theirs.recv(16) == b"b"
    finally:
        port.is_open = False
        ours.close()
        theirs.close()
