"""pyserial URL handlers of our own, looked up before pyserial's: `serial.serial_for_url` imports
`<package>.protocol_<scheme>` from each package in `serial.protocol_handler_packages` in turn, and pyvisa-py opens
`ASRL<url>::INSTR` resources through it, so a handler here serves both. Ours: `rfc2217://` (protocol_rfc2217:
pyserial's RFC 2217 client with a write timeout) and `readahead://<device path>` (protocol_readahead: a local port
that reads what has arrived in one system call, for pyvisa-py, which reads one byte per call); every other scheme
falls through to pyserial."""
from __future__ import annotations

import serial


def register_url_handlers() -> None:
    """Put this package first in pyserial's handler search list (once; idempotent). The drivers call it before they
    open a serial port or a pyvisa resource."""
    packages = serial.protocol_handler_packages
    if packages[:1] == [__name__]:
        return
    if __name__ in packages:
        packages.remove(__name__)
    packages.insert(0, __name__)
