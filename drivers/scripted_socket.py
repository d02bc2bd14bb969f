"""A scripted device on a loopback TCP port, for drivers that open their own port (pyvisa `ASRLsocket://`).

Same script format as drivers.scripted: (request, reply) pairs, (None, reply) for unsolicited bytes;
a reply of DISCONNECT closes the connection. After the script the device stays silent until the
driver closes its end. verify_complete() fails on leftovers, extra bytes or mismatches.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Sequence

from drivers.scripted import ScriptMismatch

DISCONNECT = b"<disconnect>"
_IDLE_LIMIT_S = 10.0


class ScriptedSocketDevice:
    def __init__(self, exchanges: Sequence[tuple[bytes | None, bytes]]) -> None:
        self._exchanges = list(exchanges)
        self.consumed = 0
        self.failures: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="scripted-socket-device", daemon=True)

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def __enter__(self) -> ScriptedSocketDevice:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()
        self._thread.join(timeout=2.0)

    def _serve(self) -> None:
        self._server.settimeout(_IDLE_LIMIT_S)
        try:
            connection, _ = self._server.accept()
        except OSError:
            return
        connection.settimeout(_IDLE_LIMIT_S)
        received = b""
        with connection:
            try:
                for request, reply in self._exchanges:
                    if request is not None:
                        while len(received) < len(request):
                            chunk = connection.recv(4096)
                            if not chunk:
                                self.failures.append(f"exchange {self.consumed}: peer closed, expected {request!r}")
                                return
                            received += chunk
                        got, received = received[: len(request)], received[len(request):]
                        if got != request:
                            self.failures.append(f"exchange {self.consumed}: expected {request!r}, got {got!r}")
                            return
                    if reply == DISCONNECT:
                        self.consumed += 1
                        return
                    connection.sendall(reply)
                    self.consumed += 1
                while chunk := connection.recv(4096):  # until the driver closes its end
                    received += chunk
                if received:
                    self.failures.append(f"unexpected bytes after the script: {received!r}")
            except OSError as exc:
                self.failures.append(f"exchange {self.consumed}: {exc}")

    def verify_complete(self) -> None:
        self._thread.join(timeout=2.0)
        problems = list(self.failures)
        if self.consumed < len(self._exchanges):
            problems.append(f"{len(self._exchanges) - self.consumed} exchange(s) not consumed, "
                            f"next: {self._exchanges[self.consumed]!r}")
        if problems:
            raise ScriptMismatch("; ".join(problems))
