"""`itpump emulate --listen`: one URL line per device, and bad addresses or a busy port end it with exit code 2."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest
import serial

pytestmark = pytest.mark.timeout(60)


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hil.cli.main", "emulate", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_each_device_is_named_with_its_own_url_and_served_there():
    process = spawn("ne1000", "--with-balance", "--listen", "127.0.0.1:0")
    try:
        lines = [process.stdout.readline().strip() for _ in range(2)]  # type: ignore[union-attr]
        urls = dict(line.split(": ", 1) for line in lines)
        assert list(urls) == ["ne1000", "balance"] and urls["ne1000"] != urls["balance"]
        assert all(url.startswith("socket://127.0.0.1:") for url in urls.values())
        with serial.serial_for_url(urls["balance"], timeout=3) as balance:
            balance.write(b"I4\r\n")
            assert balance.read_until(b"\r\n").startswith(b"I4 A ")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def test_a_bad_listen_address_is_exit_code_2_naming_it():
    process = spawn("grbl", "--listen", "telnet://127.0.0.1:0")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "--listen 'telnet://127.0.0.1:0'" in err


def test_a_busy_port_is_exit_code_2_naming_the_device_and_url():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = spawn("balance", "--listen", f"rfc2217://127.0.0.1:{port}")
        out, err = process.communicate(timeout=30)
    assert process.returncode == 2 and out == ""
    assert f"balance cannot be served on rfc2217://127.0.0.1:{port}" in err
