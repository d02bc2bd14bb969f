"""Byte builders for NE-1000 exchange scripts, written independently of drivers.ne1000_codec."""
from __future__ import annotations

import binascii


def basic_request(command: str, address: int = 0) -> bytes:
    return f"{address}{command}\r".encode()


def basic_reply(text: str) -> bytes:
    return b"\x02" + text.encode() + b"\x03"


def safe_packet(text: str) -> bytes:
    data = text.encode()
    return bytes([2, len(data) + 4]) + data + binascii.crc_hqx(data, 0).to_bytes(2, "big") + b"\x03"


def safe_request(command: str, address: int = 0) -> bytes:
    return safe_packet(f"{address}{command}")


PHASE_SETUP = ("PHN1", "FUNRAT", "DIRINF", "PHN2", "FUNSTP", "PHN1")


def open_script(safe: bool = False, address: int = 0, rate_reply: str = "1.500MM",
                version: str = "NE1000V3.928", saf_s: int = 10) -> list[tuple[bytes | None, bytes]]:
    """What NE1000Pump.open() exchanges with a pump that has no pending alarm."""
    prefix = f"{address:02d}"
    request = (lambda c: safe_request(c, address)) if safe else (lambda c: basic_request(c, address))
    reply = safe_packet if safe else basic_reply
    script: list[tuple[bytes | None, bytes]] = [
        (safe_request(f"SAF{saf_s if safe else 0}", address), reply(prefix + "S")),
        (request("VER"), reply(prefix + "S" + version)),
    ]
    script += [(request(command), reply(prefix + "S")) for command in PHASE_SETUP]
    script.append((request("RAT"), reply(prefix + "S" + rate_reply)))
    return script
