"""drivers.url_handlers.protocol_readahead: `readahead://<pty>` reads what has arrived in one system call, and gives
pyserial's and pyvisa-py's callers what pyserial's own port gives them: the same bytes for any cut of the stream,
the same bytes_in_buffer, the same flush, timeout and hang-up."""
from __future__ import annotations

import contextlib
import os
import threading
import time
import tty
from collections.abc import Iterator

import pytest
import serial
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceDisconnected, DeviceTimeout
from drivers.mtsics import MassReading, MTSICSBalance
from drivers import posix_read
from drivers.url_handlers import protocol_readahead, register_url_handlers

pytestmark = pytest.mark.timeout(60)


def pty_pair() -> tuple[int, str]:
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    os.close(slave)
    return master, path


def settle() -> None:
    time.sleep(0.01)  # let bytes written to the master reach the slave's input queue


@contextlib.contextmanager
def port_pair() -> Iterator[tuple[list[int], serial.SerialBase, serial.SerialBase]]:
    """A plain pyserial port and a readahead:// port, each on its own pty; bytes go to both masters."""
    register_url_handlers()
    (master_a, path_a), (master_b, path_b) = pty_pair(), pty_pair()
    plain = serial.serial_for_url(path_a, timeout=0)
    ahead = serial.serial_for_url(f"readahead://{path_b}", timeout=0)
    assert isinstance(ahead, protocol_readahead.Serial) and ahead.port == path_b
    try:
        yield [master_a, master_b], plain, ahead
    finally:
        for thing in (plain, ahead):
            thing.close()
        for fd in (master_a, master_b):
            os.close(fd)


@pytest.fixture()
def two_ports() -> Iterator[tuple[list[int], serial.SerialBase, serial.SerialBase]]:
    with port_pair() as ports:
        yield ports


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.binary(min_size=1, max_size=40), st.lists(st.integers(1, 30), max_size=4)),
                min_size=1, max_size=5))
def test_any_cut_of_the_stream_reads_the_same_as_pyserials_port(script):
    with port_pair() as (masters, plain, ahead):
        _same_reads(masters, plain, ahead, script)


def _same_reads(masters: list[int], plain: serial.SerialBase, ahead: serial.SerialBase,
                script: list[tuple[bytes, list[int]]]) -> None:
    for chunk, sizes in script:
        for fd in masters:
            os.write(fd, chunk)
        settle()
        for size in sizes:
            assert ahead.in_waiting == plain.in_waiting
            assert ahead.read(size) == plain.read(size)
    assert ahead.in_waiting == plain.in_waiting
    assert ahead.read(10_000) == plain.read(10_000)  # drained alike


def test_a_reply_written_at_once_is_read_with_one_system_call(two_ports, monkeypatch):
    masters, _plain, ahead = two_ports
    reads = []
    real_read = os.read
    monkeypatch.setattr(posix_read.os, "read", lambda fd, n: reads.append(fd) or real_read(fd, n))
    os.write(masters[1], b"S S      1.2340 g\r\n")
    settle()
    got = b"".join(ahead.read(1) for _ in range(19))  # pyvisa-py's way: one byte per call
    assert got == b"S S      1.2340 g\r\n"
    assert reads == [ahead.fd]


def test_a_timeout_waits_like_pyserials_read_and_a_flush_drops_the_read_ahead(two_ports):
    masters, _plain, ahead = two_ports
    ahead.timeout = 0.2
    started = time.monotonic()
    assert ahead.read(1) == b""
    assert time.monotonic() - started >= 0.15
    os.write(masters[1], b"abc\r\nrest")
    settle()
    assert ahead.read(1) == b"a" and ahead.in_waiting == 8
    ahead.reset_input_buffer()
    assert ahead.in_waiting == 0 and ahead.read(1) == b""


def test_a_url_without_a_device_path_is_refused_naming_it():
    register_url_handlers()
    with pytest.raises(ValueError, match=r"'readahead://' is not readahead://<device path>"):
        serial.serial_for_url("readahead://")


class ScriptedBalance:
    """The far end of a pty: answers each command line with the next scripted reply (None: no answer)."""

    def __init__(self, master: int, replies: list[bytes | None]) -> None:
        self.master, self.replies = master, list(replies)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        pending = b""
        while self.replies:
            try:
                pending += os.read(self.master, 100)
            except OSError:
                return
            while b"\r\n" in pending and self.replies:
                _, _, pending = pending.partition(b"\r\n")
                reply = self.replies.pop(0)
                if reply is not None:
                    os.write(self.master, reply)


@pytest.mark.parametrize("prefix", ["", "readahead://"])
def test_the_balance_driver_over_pyvisa_gets_the_same_lines_stale_input_timeout_and_hang_up(prefix):
    """MTSICSBalance through pyvisa-py on a plain pty and on readahead://: two replies in one write (the second is
    stale by the next command and dropped), a reply that never comes, the far end gone."""
    master, path = pty_pair()
    balance = MTSICSBalance(f"ASRL{prefix}{path}::INSTR", timeout_s=0.3)
    balance.open()
    try:
        responder = ScriptedBalance(master, [b"S S      1.2340 g\r\nS D      9.0000 g\r\n", b"S D      2.5000 g\r\n",
                                             None])
        assert balance.read_mass_immediately() == MassReading(1.234, True)
        assert balance.read_mass_immediately() == MassReading(2.5, False)
        with pytest.raises(DeviceTimeout, match=r"no reply to 'SI' within 0\.3 s"):
            balance.read_mass_immediately()
        responder.thread.join(5)
        os.close(master)
        master = -1
        with pytest.raises(DeviceDisconnected):
            balance.read_mass_immediately()
    finally:
        balance.close()
        if master >= 0:
            os.close(master)


def test_a_read_that_fails_names_the_port(two_ports, monkeypatch):
    import errno

    masters, _plain, ahead = two_ports
    real_read = os.read

    def failing_read(fd: int, size: int) -> bytes:
        if fd == ahead.fd:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(fd, size)

    monkeypatch.setattr(posix_read.os, "read", failing_read)
    os.write(masters[1], b"x")
    settle()
    with pytest.raises(serial.SerialException, match=rf"^{ahead.port}: read failed: .*Input/output error"):
        ahead.read(1)


def test_a_write_the_port_took_whole_is_no_timeout_however_late_the_thread_got_back(two_ports, monkeypatch):
    """pyserial's write looks at its deadline after the OS took every byte, so a thread held off past the write
    timeout (a busy interpreter) reports a write that succeeded as timed out; the readahead:// port does not, and waits
    in no `select` after a write the OS took whole."""
    import select

    import serial.serialutil

    masters, plain, ahead = two_ports
    plain.write_timeout = ahead.write_timeout = 1.0
    now_s = [time.monotonic()]

    def late_clock() -> float:
        now_s[0] += 5.0  # every look at the clock comes 5 s after the one before
        return now_s[0]

    selects = []
    real_select = select.select
    monkeypatch.setattr(time, "monotonic", late_clock)
    monkeypatch.setattr(serial.serialutil.Timeout, "TIME", staticmethod(late_clock))
    monkeypatch.setattr(select, "select", lambda *args: selects.append(args) or real_select(*args))
    try:
        with pytest.raises(serial.SerialTimeoutException):
            plain.write(b"SI\r\n")
        selects.clear()
        assert ahead.write(b"SI\r\n") == 4
        assert selects == []
    finally:
        monkeypatch.undo()
    assert os.read(masters[1], 100) == b"SI\r\n"


def test_a_write_the_port_will_not_take_times_out_naming_what_is_left(two_ports):
    _masters, _plain, ahead = two_ports  # nobody reads the far end: the pty's buffer fills
    ahead.write_timeout = 0.2
    started = time.monotonic()
    with pytest.raises(serial.SerialTimeoutException, match=r"of 1048576 bytes not taken by the port"):
        ahead.write(b"x" * 1048576)
    assert 0.15 <= time.monotonic() - started < 5.0


def test_cancel_write_ends_a_write_that_waits_without_a_timeout(two_ports):
    _masters, _plain, ahead = two_ports
    ahead.write_timeout = None
    written: list[int] = []
    writer = threading.Thread(target=lambda: written.append(ahead.write(b"x" * 1048576)), daemon=True)
    writer.start()
    time.sleep(0.2)
    assert writer.is_alive()  # the pty took what it could; the rest waits
    ahead.cancel_write()
    writer.join(5)
    assert not writer.is_alive() and 0 < written[0] < 1048576
