"""SerialTransport over loop://, a local pty pair, and a loopback socket; the scripted transport itself."""
from __future__ import annotations

import os
import socket
import threading
import tty

import pytest

from drivers.errors import DeviceDisconnected, DeviceTimeout, TransportError
from drivers.scripted import ScriptedTransport, ScriptMismatch, expected_exchange
from drivers.transport import SerialTransport
import contextlib

pytestmark = pytest.mark.timeout(30)


def test_loop_round_trip_read_until_and_exact():
    transport = SerialTransport("loop://", timeout_s=0.2)
    transport.open()
    try:
        transport.write(b"\x0200S\x03\x02\x07")
        assert transport.read_until(b"\x03") == b"\x0200S\x03"
        assert transport.read_exact(2) == b"\x02\x07"
        transport.write(b"abc")
        assert transport.read_available() == b"abc"
        assert transport.read_available() == b""
    finally:
        transport.close()


@pytest.mark.requirements("SR-DRV-002")
def test_loop_timeouts_carry_the_partial_bytes():
    with_port = SerialTransport("loop://", timeout_s=0.05)
    with_port.open()
    try:
        with_port.write(b"\x0200")
        with pytest.raises(DeviceTimeout, match=r"\\x0200"):
            with_port.read_until(b"\x03")
        with pytest.raises(DeviceTimeout):
            with_port.read_exact(1, timeout_s=0.01)
    finally:
        with_port.close()


def test_no_io_before_open_and_bad_url():
    transport = SerialTransport("loop://")
    assert not transport.is_open
    with pytest.raises(TransportError, match="not open"):
        transport.write(b"x")
    with pytest.raises(TransportError, match="cannot open"):
        SerialTransport("/dev/does-not-exist-itpump").open()
    with pytest.raises(ValueError, match="timeout"):
        SerialTransport("loop://", timeout_s=0)


@pytest.fixture()
def pty_pair():
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    yield master, path
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_pty_exchange_and_exclusive_open(pty_pair):
    master, path = pty_pair
    transport = SerialTransport(path, timeout_s=0.5)
    transport.open()
    try:
        transport.write(b"0RUN\r")
        assert os.read(master, 100) == b"0RUN\r"
        os.write(master, b"\x0200I\x03")
        assert transport.read_until(b"\x03") == b"\x0200I\x03"
        with pytest.raises(TransportError, match="cannot open"):
            SerialTransport(path).open()  # flock: a second opener is refused
    finally:
        transport.close()


@pytest.mark.requirements("SR-DRV-002")
def test_pty_master_closed_is_a_disconnect(pty_pair):
    master, path = pty_pair
    transport = SerialTransport(path, timeout_s=0.5)
    transport.open()
    try:
        os.close(master)
        with pytest.raises(DeviceDisconnected):
            transport.read_until(b"\x03")
    finally:
        transport.close()


def test_socket_peer_closing_is_a_disconnect():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def accept_and_close():
        connection, _ = server.accept()
        connection.recv(10)
        connection.close()

    thread = threading.Thread(target=accept_and_close, daemon=True)
    thread.start()
    transport = SerialTransport(f"socket://127.0.0.1:{port}", timeout_s=1.0)
    transport.open()
    try:
        transport.write(b"?")
        thread.join(timeout=2)
        with pytest.raises(DeviceDisconnected):
            transport.read_until(b"\n")
    finally:
        transport.close()
        server.close()


def test_spy_url_records_the_exchange(tmp_path, pty_pair):
    master, path = pty_pair
    log = tmp_path / "trace.txt"
    transport = SerialTransport(f"spy://{path}?file={log}", timeout_s=0.5)
    transport.open()
    transport.write(b"0VER\r")
    assert os.read(master, 100) == b"0VER\r"
    os.write(master, b"\x0200SNE1000V3.928\x03")
    assert transport.read_until(b"\x03").endswith(b"V3.928\x03")
    transport.close()
    trace = log.read_text()
    assert "0VER" in trace and "30 56 45 52 0D" in trace and " RX " in trace


def test_scripted_transport_rules():
    transport = ScriptedTransport([(None, b"boot"), (b"AB", b"ok"), (b"C", DeviceDisconnected("gone"))])
    transport.open()
    assert transport.read_exact(4) == b"boot"
    transport.write(b"A")
    transport.write(b"B")  # split writes still match one request
    assert transport.read_until(b"k") == b"ok"
    transport.write(b"C")
    with pytest.raises(DeviceDisconnected):
        transport.read_exact(1)
    transport.verify_complete()
    leftover = ScriptedTransport([(b"X", b"reply")])
    leftover.open()
    leftover.write(b"X")
    with pytest.raises(ScriptMismatch, match="never read"):
        leftover.verify_complete()
    with pytest.raises(ScriptMismatch, match="not consumed"):
        with expected_exchange(lambda t: t, [(b"X", b"")], open_driver=True):
            pass


@pytest.mark.requirements("SR-DRV-002")
@pytest.mark.parametrize("read", ["until", "exact"])
@pytest.mark.parametrize("link", ["socket", "pty"])  # pyserial's read, and the transport's own read of a POSIX port
def test_bytes_that_keep_trickling_cannot_hold_a_read_past_its_timeout(link, read):
    import time

    from chatty import chatty_pty, chatty_socket

    chatty = chatty_socket if link == "socket" else chatty_pty
    with chatty(b".", interval_s=0.01) as url:  # a byte every 10 ms, never the terminator
        transport = SerialTransport(url, timeout_s=0.2)
        transport.open()
        try:
            started_s = time.monotonic()
            with pytest.raises(DeviceTimeout, match=r"\.\.\."):  # carrying what did arrive
                if read == "until":
                    transport.read_until(b"\n", max_size_bytes=100_000)
                else:
                    transport.read_exact(100_000)
            assert time.monotonic() - started_s < 5 * 0.2  # a behaviour bound, not a benchmark
            assert transport.read_available().strip(b".") == b""
        finally:
            transport.close()


def test_bytes_after_a_terminator_wait_for_the_next_read(pty_pair):
    master, path = pty_pair
    transport = SerialTransport(path, timeout_s=0.5)
    transport.open()
    try:
        os.write(master, b"one\ntwo\nthr")
        assert transport.read_until(b"\n") == b"one\n"
        assert transport.read_exact(2) == b"tw"
        assert transport.read_until(b"\n") == b"o\n"
        assert transport.read_available() == b"thr"
        assert transport.read_available() == b""
    finally:
        transport.close()


def test_a_frame_written_at_once_is_read_with_one_system_call(pty_pair, monkeypatch):
    master, path = pty_pair
    transport = SerialTransport(path, timeout_s=0.5)
    transport.open()
    try:
        frame = b"\x02\x0b00S1.234\x00\x00\x03"
        os.write(master, frame)
        reads: list[int] = []
        real_read = os.read

        def counting_read(fd: int, size: int) -> bytes:
            reads.append(size)
            return real_read(fd, size)

        monkeypatch.setattr(os, "read", counting_read)
        assert transport.read_exact(2) + transport.read_exact(len(frame) - 2) == frame
        assert len(reads) == 1  # pyserial's read(1) then read(rest) took two
    finally:
        transport.close()


def test_a_pty_whose_far_end_is_gone_is_a_disconnect_for_every_read(pty_pair):
    master, path = pty_pair
    transport = SerialTransport(path, timeout_s=0.5)
    transport.open()
    try:
        os.close(master)
        with pytest.raises(DeviceDisconnected):
            transport.read_available()
        with pytest.raises(DeviceDisconnected):
            transport.read_exact(1)
    finally:
        transport.close()


def test_a_write_the_port_took_whole_is_no_timeout_however_late_the_thread_got_back(pty_pair, monkeypatch):
    """A writing thread held off past write_timeout_s (a busy interpreter) after the OS took every byte: pyserial's
    write then reported a timeout for a write that succeeded (the cause of spurious communication-loss alarms)."""
    import time

    import serial.serialutil

    master, path = pty_pair
    transport = SerialTransport(path, timeout_s=0.5, write_timeout_s=1.0)
    transport.open()
    now_s = [time.monotonic()]

    def late_clock() -> float:
        now_s[0] += 5.0  # every look at the clock comes 5 s after the one before
        return now_s[0]

    monkeypatch.setattr(time, "monotonic", late_clock)
    monkeypatch.setattr(serial.serialutil.Timeout, "TIME", staticmethod(late_clock))
    try:
        transport.write(b"\x0200DIS\x03")
    finally:
        monkeypatch.undo()
        transport.close()
    assert os.read(master, 100) == b"\x0200DIS\x03"


def test_a_write_the_port_will_not_take_times_out_naming_what_is_left(pty_pair):
    _, path = pty_pair  # nobody reads the far end: the pty's buffer fills
    transport = SerialTransport(path, timeout_s=0.5, write_timeout_s=0.2)
    transport.open()
    try:
        with pytest.raises(DeviceTimeout,
                           match=r"write of 4194304 bytes timed out after 0.2 s: [1-9]\d* of 4194304 bytes not taken"):
            transport.write(b"x" * 4 * 1024 * 1024)
    finally:
        transport.close()
