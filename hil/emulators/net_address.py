"""Where a device emulator listens on the network: `HOST:PORT` (raw TCP, clients open `socket://HOST:PORT`) or
`rfc2217://HOST:PORT` (an RFC 2217 port, clients open `rfc2217://HOST:PORT`). Port 0 picks a free port."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from hil.emulators.faults import EmulatorError

MAX_PORT = 65535


class NetProtocol(Enum):
    RAW = "socket"
    """Bytes as they are; the host's line settings do not reach the device (pyserial ignores them for socket://)."""
    RFC2217 = "rfc2217"
    """Telnet COM-port control: the host's baud rate and framing reach the emulated line."""


@dataclass(frozen=True)
class ListenAddress:
    protocol: NetProtocol
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> ListenAddress:
        """'127.0.0.1:0', 'socket://127.0.0.1:4000', 'rfc2217://[::1]:4001'; EmulatorError naming the text."""
        scheme, sep, rest = text.partition("://")
        if not sep:
            scheme, rest = NetProtocol.RAW.value, text
        try:
            protocol = NetProtocol(scheme.lower())
        except ValueError:
            raise EmulatorError(f"--listen {text!r}: the scheme must be socket:// or rfc2217:// (or none: raw TCP), "
                                f"not {scheme}://") from None
        host, colon, port_text = rest.rpartition(":")
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        if not colon or not host or not port_text.isascii() or not port_text.isdigit() or len(port_text) > 5 \
                or int(port_text) > MAX_PORT:
            raise EmulatorError(f"--listen {text!r}: expected HOST:PORT with a port 0..{MAX_PORT} (0 = a free port), "
                                f"e.g. 127.0.0.1:0 or rfc2217://127.0.0.1:4000")
        return cls(protocol, host, int(port_text))

    def nth(self, index: int) -> ListenAddress:
        """The address of the index-th device served (0 = the first): the next ports, or 0 again if this is 0."""
        if self.port == 0:
            return self
        port = self.port + index
        if port > MAX_PORT:
            raise EmulatorError(f"--listen {self.url()}: device {index + 1} would need port {port} (above {MAX_PORT})")
        return ListenAddress(self.protocol, self.host, port)

    def url(self, port: int | None = None) -> str:
        """What a host opens with serial.serial_for_url, for this address or the port actually bound."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.protocol.value}://{host}:{self.port if port is None else port}"
