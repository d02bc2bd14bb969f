"""The pyvisa session a balance driver keeps (MT-SICS, Sartorius SBI): opened with the driver's options, closed
quietly, and every pyvisa or pyserial failure turned into a typed driver error naming the resource."""
from __future__ import annotations

import contextlib
from typing import Any
from collections.abc import Callable

import pyvisa

from drivers.arguments import require_positive
from drivers.errors import DeviceDisconnected, DeviceTimeout, FramingError, TransportError
from drivers.lifecycle import OpenCloseLifecycle
from drivers.units import MS_PER_S
from drivers.url_handlers import register_url_handlers


MIN_STABLE_TIMEOUT_S = 5.0
"""The shortest default wait for a stable reading, whatever the read timeout."""


class VisaSession(OpenCloseLifecycle):
    """Subclasses call _init_session from __init__, and open_session(options, detail) from open() (crlf_line_options
    gives the options both balance protocols share)."""

    resource_name: str
    backend: str
    timeout_s: float
    baud_rate: int
    stable_timeout_s: float
    _manager: pyvisa.ResourceManager | None = None
    _resource: Any = None

    def _init_session(self, resource_name: str, backend: str, timeout_s: float, baud_rate: int,
                      stable_timeout_s: float | None) -> None:
        require_positive("timeout_s", timeout_s)
        self.resource_name = resource_name
        self.backend = backend
        self.timeout_s = timeout_s
        self.baud_rate = baud_rate
        self.stable_timeout_s = stable_timeout_s if stable_timeout_s is not None else max(timeout_s,
                                                                                            MIN_STABLE_TIMEOUT_S)
        """The longest wait for a stable reading (MT-SICS: the read timeout of S, Z and T; Sartorius: how long
        read_stable_mass_g asks again)."""

    def crlf_line_options(self) -> dict[str, Any]:
        """pyvisa options of a session of CR LF lines within timeout_s; on a serial resource (not pyvisa-sim's) the
        baud rate too."""
        options: dict[str, Any] = {"read_termination": "\r\n", "write_termination": "\r\n",
                                   "timeout": int(self.timeout_s * MS_PER_S)}
        if self.on_serial_port:
            options["baud_rate"] = self.baud_rate
        return options

    @property
    def on_serial_port(self) -> bool:
        return self.resource_name.upper().startswith("ASRL") and not self.backend.endswith("@sim")

    def open_session(self, options: dict[str, Any], detail: str) -> None:
        """The ResourceManager and the session; TransportError naming the resource and `detail` if either fails."""
        register_url_handlers()  # pyvisa-py opens ASRL<url>::INSTR through serial_for_url: ASRLrfc2217:// is ours
        try:
            self._manager = pyvisa.ResourceManager(self.backend)
            self._resource = self._manager.open_resource(self.resource_name, **options)
        except Exception as exc:  # besides pyvisa's and the OS's errors, what backends let through (pyserial's
            # termios.error for a refused port setting, pyvisa-sim's yaml and AttributeError for a bad definition)
            self.close()
            raise TransportError(f"cannot open balance {self.resource_name!r} ({detail}): {exc!r}") from exc

    def close(self) -> None:
        resource, self._resource = self._resource, None
        manager, self._manager = self._manager, None
        for thing in (resource, manager):
            if thing is not None:
                with contextlib.suppress(Exception):  # the session is gone either way
                    thing.close()

    def _require(self) -> Any:
        if self._resource is None:
            raise TransportError(f"balance {self.resource_name!r} is not open (call open() first)")
        return self._resource

    def _io(self, action: str, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except pyvisa.VisaIOError as exc:
            if exc.error_code == pyvisa.constants.StatusCode.error_timeout:
                timeout_s = self._resource.timeout / MS_PER_S if self._resource is not None else self.timeout_s
                raise DeviceTimeout(
                    f"balance {self.resource_name}: no reply to {action} within {timeout_s:g} s"
                ) from exc
            raise DeviceDisconnected(f"balance {self.resource_name}: {action} failed: {exc}") from exc
        except UnicodeDecodeError as exc:  # line noise, or 8-bit bytes from a balance set to another framing
            raise FramingError(f"balance reply to {action} is not ASCII: {exc}") from exc
        except (OSError, EOFError) as exc:  # pyserial's SerialException (unplug) is an OSError
            raise DeviceDisconnected(f"balance {self.resource_name}: {action} failed: {exc}") from exc

    def _pending_input(self) -> bytes:
        """Bytes that arrived outside an exchange, read and dropped from the input (empty if the backend cannot
        tell, as pyvisa-sim cannot: nothing arrives unasked there)."""
        resource = self._require()
        try:
            pending = int(self._io("checking for stale input", lambda: resource.bytes_in_buffer))
        except (AttributeError, NotImplementedError, TypeError):
            return b""
        if pending <= 0:
            return b""
        return bytes(self._io("discarding stale input", resource.read_bytes, pending))
