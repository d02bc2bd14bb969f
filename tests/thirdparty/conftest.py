"""Clients written from the public protocol descriptions alone (not the project's drivers) drive the emulators over
a pty, raw TCP (socket://) and RFC 2217 (rfc2217://). The client modules next to this file are importable."""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import pytest  # noqa: E402

from firmware_sim.clock import WallClock  # noqa: E402
from hil.emulators.net_address import ListenAddress  # noqa: E402

LINKS = ("pty", "socket", "rfc2217")


@pytest.fixture()
def clock() -> WallClock:
    return WallClock()


@pytest.fixture(params=LINKS)
def serve(request):
    """serve(device) -> what a host opens (pty path, socket:// or rfc2217:// URL on loopback); stopped at teardown."""
    started = []

    def start(device) -> str:
        started.append(device)
        return device.start(None if request.param == "pty" else ListenAddress.parse(f"{request.param}://127.0.0.1:0"))

    yield start
    for device in started:
        device.stop()


@pytest.fixture()
def closing():
    """closing(client) -> client, closed at teardown."""
    clients = []

    def track(client):
        clients.append(client)
        return client

    yield track
    for client in clients:
        client.close()
