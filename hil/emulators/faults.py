"""Fault names shared by every emulator, the errors for bad emulator input, and link-level byte faults.

Link faults act on the bytes between host and device (either direction) and are the same for every
device; device faults (stall, occlusion, power_reset, overload, ...) are handled by each device core.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum


class Fault(StrEnum):
    """Every fault an emulator knows, by the name scenarios, campaigns and `itpump emulate --fault` use. A device
    accepts the link faults (LINK_FAULTS) and its core's own (its FAULTS, the device catalog's DeviceKind.faults);
    a name from a file or the command line becomes a Fault through parse_fault."""

    DROP_BYTES = "drop_bytes"
    CORRUPT_BYTES = "corrupt_bytes"
    DELAY_BYTES = "delay_bytes"
    DISCONNECT = "disconnect"
    STALL = "stall"
    CLEAR_STALL = "clear_stall"
    OCCLUSION = "occlusion"
    CLEAR_OCCLUSION = "clear_occlusion"
    LEAK = "leak"
    CLEAR_LEAK = "clear_leak"
    RATE_ERROR = "rate_error"
    CLEAR_RATE_ERROR = "clear_rate_error"
    CORRUPT_MOVE = "corrupt_move"
    POWER_RESET = "power_reset"
    OVERLOAD = "overload"
    UNDERLOAD = "underload"
    UNSTABLE = "unstable"
    ERROR_CODE = "error_code"


TO_HOST = "to_host"
FROM_HOST = "from_host"
DIRECTIONS = (TO_HOST, FROM_HOST)

LINK_FAULTS: dict[Fault, str] = {
    Fault.DROP_BYTES: "discard the next `count` bytes (after `skip_bytes`) travelling in `direction`",
    Fault.CORRUPT_BYTES: "XOR the next `count` bytes (after `skip_bytes`) in `direction` with `xor_mask`",
    Fault.DELAY_BYTES: "hold the next `count` replies to the host back by `delay_s` seconds of wall time",
    Fault.DISCONNECT: "close the device end of the link, like pulling the USB cable",
}


class EmulatorError(ValueError):
    """Bad emulator configuration, unknown fault name or bad fault parameter; the message names it."""


def parse_fault(name: str, known: Collection[Fault], where: str = "") -> Fault:
    """The fault a name (from a scenario, a campaign or the command line) stands for, if it is one of `known`;
    else EmulatorError naming the name (after `where`, e.g. the device) and the known ones."""
    try:
        fault: Fault | None = Fault(name)
    except ValueError:
        fault = None
    if fault is None or fault not in known:
        raise EmulatorError(f"{where}unknown fault {str(name)!r}; known: {', '.join(sorted(known))}")
    return fault


def reject_unknown_params(fault: str, params: dict, allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise EmulatorError(f"fault {str(fault)!r}: unknown parameter(s) {unknown}; allowed: {sorted(allowed)}")


def positive_int(fault: str, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or int(value) != value or value < 0:
        raise EmulatorError(f"fault {str(fault)!r}: {name} must be a non-negative integer, got {value!r}")
    return int(value)


def positive_count(fault: str, value: object) -> int:
    count = positive_int(fault, "count", value)
    if count < 1:
        raise EmulatorError(f"fault {str(fault)!r}: count must be at least 1, got {count}")
    return count


def non_negative_float(fault: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise EmulatorError(f"fault {str(fault)!r}: {name} must be a finite non-negative number, got {value!r}")
    return float(value)


@dataclass
class _ByteRule:
    skip_bytes: int
    count: int
    xor_mask: int | None  # None: drop the byte


@dataclass
class LinkFaults:
    """Pending byte faults per direction; thread-safe. Rules are consumed byte by byte, in order."""

    _rules: dict[str, list[_ByteRule]] = field(default_factory=lambda: {d: [] for d in DIRECTIONS})
    _delays_s: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: Fault, params: dict) -> None:
        if name == Fault.DELAY_BYTES:
            reject_unknown_params(name, params, {"delay_s", "count"})
            delay_s = non_negative_float(name, "delay_s", params.get("delay_s", 1.0))
            count = positive_count(name, params.get("count", 1))
            with self._lock:
                self._delays_s.extend([delay_s] * count)
            return
        allowed = {"count", "skip_bytes", "direction"} | ({"xor_mask"} if name == Fault.CORRUPT_BYTES else set())
        reject_unknown_params(name, params, allowed)
        direction = params.get("direction", TO_HOST)
        if direction not in DIRECTIONS:
            raise EmulatorError(f"fault {str(name)!r}: direction must be one of {DIRECTIONS}, got {direction!r}")
        xor_mask = None
        if name == Fault.CORRUPT_BYTES:
            xor_mask = positive_int(name, "xor_mask", params.get("xor_mask", 0x01))
            if not 1 <= xor_mask <= 0xFF:
                raise EmulatorError(f"fault {str(name)!r}: xor_mask must be 1..255, got {xor_mask}")
        rule = _ByteRule(
            skip_bytes=positive_int(name, "skip_bytes", params.get("skip_bytes", 0)),
            count=positive_count(name, params.get("count", 1)),
            xor_mask=xor_mask,
        )
        with self._lock:
            self._rules[direction].append(rule)

    def apply(self, direction: str, data: bytes) -> bytes:
        """The bytes as they arrive at the other end, with pending rules consumed."""
        with self._lock:
            rules = self._rules[direction]
            if not rules:
                return data
            out = bytearray()
            for byte in data:
                rule = rules[0] if rules else None
                if rule is None:
                    out.append(byte)
                elif rule.skip_bytes > 0:
                    rule.skip_bytes -= 1
                    out.append(byte)
                else:
                    if rule.xor_mask is not None:
                        out.append(byte ^ rule.xor_mask)
                    rule.count -= 1
                    if rule.count <= 0:
                        rules.pop(0)
            return bytes(out)

    def next_reply_delay_s(self) -> float:
        with self._lock:
            return self._delays_s.pop(0) if self._delays_s else 0.0


def validate_pump_fault(name: Fault, params: dict) -> None:
    """Parameters of a syringe-pump fault: occlusion takes compliance_ul (the line's give), leak takes fraction
    (0 < fraction <= 1 of the outflow lost; default 1, a disconnection), rate_error takes percent (-50..100 % more
    volume moved than the pump counts; default 5)."""
    allowed = {Fault.OCCLUSION: {"compliance_ul"}, Fault.LEAK: {"fraction"}, Fault.RATE_ERROR: {"percent"}}.get(
        name, set())
    reject_unknown_params(name, params, allowed)
    if "percent" in params:
        percent = params["percent"]
        if isinstance(percent, bool) or not isinstance(percent, (int, float)) or not -50 <= percent <= 100:
            raise EmulatorError(f"fault {str(name)!r}: percent must be a number within [-50, 100], got {percent!r}")
    if "compliance_ul" in params:
        non_negative_float(name, "compliance_ul", params["compliance_ul"])
    if "fraction" in params and not 0 < non_negative_float(name, "fraction", params["fraction"]) <= 1:
        raise EmulatorError(f"fault {str(name)!r}: fraction must be within (0, 1], got {params['fraction']!r}")
