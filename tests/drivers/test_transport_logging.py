"""Serial traffic is logged at DEBUG by logger "drivers.transport" (itpump -vv); below DEBUG nothing is formatted."""
from __future__ import annotations

import logging

import pytest

from drivers import transport as transport_module
from drivers.transport import SerialTransport

pytestmark = pytest.mark.timeout(30)


def exchange() -> None:
    transport = SerialTransport("loop://", timeout_s=0.2)
    transport.open()
    try:
        transport.write(b"\x0200S\x03\x02\x07")
        assert transport.read_until(b"\x03") == b"\x0200S\x03"
        assert transport.read_exact(2) == b"\x02\x07"
    finally:
        transport.close()


def test_each_write_and_read_is_logged_at_debug(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.DEBUG, logger="drivers.transport"):
        exchange()
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("drivers.transport", logging.DEBUG, "loop:// tx b'\\x0200S\\x03\\x02\\x07'"),
        ("drivers.transport", logging.DEBUG, "loop:// rx b'\\x0200S\\x03'"),
        ("drivers.transport", logging.DEBUG, "loop:// rx b'\\x02\\x07'"),
    ]


def test_below_debug_the_traffic_is_not_even_handed_to_the_logger(caplog, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("log.debug called while DEBUG is off")

    monkeypatch.setattr(transport_module.log, "debug", refuse)
    with caplog.at_level(logging.INFO, logger="drivers.transport"):
        exchange()
    assert caplog.records == []
