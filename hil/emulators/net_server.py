"""Serve an emulated device on TCP, as ser2net serves a real port for labgrid: raw bytes (hosts open
`socket://HOST:PORT`) or RFC 2217 (hosts open `rfc2217://HOST:PORT`, and their baud rate and framing reach the line).

One host at a time, like a serial line: a second connection while one is open is closed at once (the port is
busy). When no host is connected the device keeps running; what it says meanwhile is lost, as on a real line.
Over RFC 2217 the line settings the host asked for are compared with the device's own (its baud rate and framing,
8N1 but for a Sartorius balance set to 7O1): while
they differ, neither side receives the other's bytes (a real UART at the wrong speed would see only framing errors).
"""
from __future__ import annotations

import select
import socket
from collections.abc import Callable

from serial import EIGHTBITS, PARITY_NONE, STOPBITS_ONE
from serial.rfc2217 import PortManager

from hil.emulators.net_address import ListenAddress, NetProtocol
from hil.emulators.wire import DeviceCallbacks, DeviceServer

SEND_TIMEOUT_S = 5.0
"""A host that reads nothing for this long while the device talks is treated as gone."""


class EmulatedLine:
    """The serial port PortManager configures: the UART settings the RFC 2217 host asked for, and modem lines that
    say a device is attached (DSR, CD, CTS on)."""

    def __init__(self, baudrate: int) -> None:
        self.baudrate = baudrate
        self.bytesize = EIGHTBITS
        self.parity = PARITY_NONE
        self.stopbits = STOPBITS_ONE
        self.xonxoff = False
        self.rtscts = False
        self.break_condition = False
        self.dtr = True
        self.rts = True
        self.cts = True
        self.dsr = True
        self.cd = True
        self.ri = False

    @property
    def framing(self) -> str:
        """Data bits, parity and stop bits as "8N1", "7O1" (pyserial's parity letters)."""
        return f"{self.bytesize}{self.parity}{self.stopbits:g}"

    def matches(self, device_baud: int, device_framing: str) -> bool:
        """Whether the host's settings are the device's own (its baud rate and framing)."""
        return (self.baudrate, self.framing) == (device_baud, device_framing)

    def reset_input_buffer(self) -> None:
        """Nothing is buffered: the server hands host bytes to the device as they arrive."""

    def reset_output_buffer(self) -> None:
        """Nothing is buffered: the device's bytes go to the host as soon as it says them."""


class _Connection:
    """One host's TCP connection; for RFC 2217 also its Telnet/COM-port state (pyserial's PortManager)."""

    def __init__(self, sock: socket.socket, protocol: NetProtocol, device_baud: int) -> None:
        self.sock = sock
        self.line: EmulatedLine | None = None
        self._manager: PortManager | None = None
        if protocol is NetProtocol.RFC2217:
            self.line = EmulatedLine(device_baud)
            # duck-typed: PortManager uses only the attributes these two have; its stub asks for serial.Serial
            self._manager = PortManager(self.line, self)  # type: ignore[arg-type]

    def write(self, data: bytes) -> None:
        """Raw bytes to the host (PortManager sends its Telnet negotiation through this)."""
        self.sock.sendall(data)

    def from_host(self, data: bytes, device_baud: int, device_framing: str) -> bytes:
        """The payload of what the host sent (Telnet commands handled), as the device's UART receives it."""
        if self._manager is None:
            return data
        payload = b"".join(self._manager.filter(data))
        return payload if self.line is not None and self.line.matches(device_baud, device_framing) else b""

    def to_host(self, data: bytes, device_baud: int, device_framing: str) -> None:
        if self._manager is not None:
            if self.line is not None and not self.line.matches(device_baud, device_framing):
                return
            data = b"".join(self._manager.escape(data))
        self.write(data)

    def poll(self) -> None:
        if self._manager is not None:
            self._manager.check_modem_lines()


class NetworkServer(DeviceServer):
    """Serves one device on a TCP port (raw or RFC 2217); path is the URL hosts open."""

    kind = "network server"

    def __init__(self, callbacks: DeviceCallbacks, address: ListenAddress, poll_interval_s: float = 0.01) -> None:
        super().__init__(callbacks, poll_interval_s)
        self.address = address
        self._listener: socket.socket | None = None
        self._connection: _Connection | None = None

    @property
    def line(self) -> EmulatedLine | None:
        """The connected RFC 2217 host's line settings (None for raw TCP or with no host connected)."""
        connection = self._connection
        return connection.line if connection is not None else None

    def _open(self) -> str:
        family = socket.AF_INET6 if ":" in self.address.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.address.host, self.address.port))
            listener.listen(1)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        return self.address.url(listener.getsockname()[1])

    def _serve_once(self) -> None:
        listener = self._listener
        assert listener is not None
        connection = self._connection
        watched = [listener] if connection is None else [listener, connection.sock]
        readable, _, _ = select.select(watched, [], [], self._poll_interval_s)
        if listener in readable:
            self._accept(listener)
        if connection is not None and connection.sock in readable:
            self._receive(connection)
        if not self._stop.is_set():
            self._send(self._callbacks.on_tick())
        if self._connection is not None:
            self._guard(self._connection.poll)

    def _accept(self, listener: socket.socket) -> None:
        sock, _ = listener.accept()
        if self._connection is not None:
            sock.close()  # the port is busy: one host at a time, as on a serial line
            return
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(SEND_TIMEOUT_S)
            self._connection = _Connection(sock, self.address.protocol, self._callbacks.baud())
        except OSError:  # the host left during the opening Telnet negotiation
            sock.close()

    def _receive(self, connection: _Connection) -> None:
        """Hand what the host sent to the device and its reply to the host; a closed connection disconnects."""
        try:
            data = connection.sock.recv(4096)
            payload = connection.from_host(data, self._callbacks.baud(), self._callbacks.framing()) if data else None
        except OSError:
            payload = None
        if payload is None:
            self._disconnect()
        elif payload:
            self._timing.received(len(payload))
            self._send(self._callbacks.on_bytes(payload))

    def _send(self, data: bytes) -> None:
        if not data:
            return
        self._timing.before_sending(len(data))
        connection = self._connection
        if connection is not None and not self._stop.is_set():
            self._guard(lambda: connection.to_host(data, self._callbacks.baud(), self._callbacks.framing()))

    def _guard(self, action: Callable[[], None]) -> None:
        """Run a socket action; a host that went away is disconnected, as a host closing the port."""
        try:
            action()
        except OSError:
            self._disconnect()

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.sock.close()

    def _close(self) -> None:
        self._disconnect()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
