"""NE-1000 link framing: Basic mode (`cmd CR` in, `STX resp ETX` out) and Safe mode packets.

Safe packet, both directions: STX, length (= len(data) + 4, counting itself, the CRC and ETX), data,
CRC-16/XMODEM of the data (high byte first), ETX.
"""
from __future__ import annotations

import binascii
from dataclasses import dataclass

STX = 0x02
ETX = 0x03
CR = 0x0D
SAFE_OVERHEAD_BYTES = 4


def crc16_xmodem(data: bytes) -> int:
    return binascii.crc_hqx(data, 0)


def encode_basic(data: bytes) -> bytes:
    return bytes([STX]) + data + bytes([ETX])


def encode_safe(data: bytes) -> bytes:
    return bytes([STX, len(data) + SAFE_OVERHEAD_BYTES]) + data + crc16_xmodem(data).to_bytes(2, "big") + bytes([ETX])


@dataclass(frozen=True)
class Packet:
    data: bytes
    framed: bool
    """True for a safe-mode packet, False for a CR-terminated Basic command."""
    valid: bool = True
    """False for a safe packet with a bad length, CRC or end byte (reply ?COM)."""


class PacketReceiver:
    """Splits the incoming byte stream into packets, in Basic or Safe mode.

    In Safe mode a partial packet is discarded when the gap between two bytes reaches
    inter_byte_timeout_s (clock time); bytes outside a packet are ignored.
    """

    def __init__(self, inter_byte_timeout_s: float, accept_safe_in_basic: bool) -> None:
        self.inter_byte_timeout_s = inter_byte_timeout_s
        self.accept_safe_in_basic = accept_safe_in_basic
        self._buffer = bytearray()
        self._in_safe_packet = False
        self._last_byte_t_s = 0.0

    def reset(self) -> None:
        self._buffer.clear()
        self._in_safe_packet = False

    def feed(self, data: bytes, t_s: float, safe_mode: bool) -> list[Packet]:
        if self._in_safe_packet and t_s - self._last_byte_t_s >= self.inter_byte_timeout_s:  # STX alone counts
            self.reset()
        self._last_byte_t_s = t_s
        packets: list[Packet] = []
        position, size = 0, len(data)
        while position < size:
            position = self._take_body(data, position)  # the bytes of a safe packet that cannot end it, at once
            if position < size:
                packet = self._take(data[position], safe_mode)
                position += 1
                if packet is not None:
                    packets.append(packet)
        return packets

    def _take_body(self, data: bytes, position: int) -> int:
        """Inside a safe packet whose length byte is in: append the bytes before its last one in one go (taken one
        by one, none of them would end or reset the packet); the position of the next byte to take."""
        if not self._in_safe_packet or not self._buffer or self._buffer[0] < SAFE_OVERHEAD_BYTES:
            return position
        count = min(self._buffer[0] - len(self._buffer) - 1, len(data) - position)
        if count <= 0:
            return position
        self._buffer += data[position:position + count]
        return position + count

    def _take(self, byte: int, safe_mode: bool) -> Packet | None:
        if self._in_safe_packet:
            self._buffer.append(byte)
            return self._safe_packet_if_complete()
        if byte == STX and (safe_mode or self.accept_safe_in_basic):
            self._buffer.clear()
            self._in_safe_packet = True
            return None
        if safe_mode:
            return None  # stray byte between packets
        if byte == CR:
            line = bytes(self._buffer)
            self._buffer.clear()
            return Packet(line, framed=False)
        self._buffer.append(byte)
        return None

    def _safe_packet_if_complete(self) -> Packet | None:
        length = self._buffer[0]
        if length < SAFE_OVERHEAD_BYTES:
            self.reset()
            return Packet(b"", framed=True, valid=False)
        if len(self._buffer) < length:
            return None
        body = bytes(self._buffer)
        self.reset()
        data, crc, end = body[1:-3], body[-3:-1], body[-1]
        valid = end == ETX and int.from_bytes(crc, "big") == crc16_xmodem(data)
        return Packet(data, framed=True, valid=valid)
