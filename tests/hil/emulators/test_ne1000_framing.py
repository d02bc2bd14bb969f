"""The NE-1000 packet receiver takes the body of a safe packet in one go: the same packets as byte by byte."""
from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from hil.emulators.ne1000_framing import CR, STX, Packet, PacketReceiver, encode_safe

_PIECES = st.one_of(
    st.binary(min_size=1, max_size=12).map(lambda data: encode_safe(data)),  # a whole valid packet
    st.binary(max_size=6),  # line noise
    st.sampled_from([bytes([STX]), bytes([STX, 2]), bytes([STX, 40]), bytes([CR]), b"0DIS\r"]),  # short, long, stray
)


def _byte_by_byte(receiver: PacketReceiver, data: bytes, safe_mode: bool) -> list[Packet]:
    packets = []
    for byte in data:
        packet = receiver._take(byte, safe_mode)
        if packet is not None:
            packets.append(packet)
    return packets


@settings(max_examples=150, deadline=None, derandomize=True)
@given(pieces=st.lists(_PIECES, max_size=8), cuts=st.lists(st.integers(0, 200), max_size=6),
       safe_mode=st.booleans(), accept_safe_in_basic=st.booleans())
def test_feeding_chunks_gives_the_packets_of_the_byte_loop(pieces, cuts, safe_mode, accept_safe_in_basic):
    stream = b"".join(pieces)
    bounds = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    bulk = PacketReceiver(inter_byte_timeout_s=1.0, accept_safe_in_basic=accept_safe_in_basic)
    reference = PacketReceiver(inter_byte_timeout_s=1.0, accept_safe_in_basic=accept_safe_in_basic)
    got, expected = [], []
    for start, end in itertools.pairwise(bounds):
        got += bulk.feed(stream[start:end], 0.0, safe_mode)
        expected += _byte_by_byte(reference, stream[start:end], safe_mode)
    assert got == expected
    assert (bulk._buffer, bulk._in_safe_packet) == (reference._buffer, reference._in_safe_packet)


def test_a_packet_split_anywhere_is_one_packet():
    frame = encode_safe(b"0DIS")
    for cut in range(len(frame) + 1):
        receiver = PacketReceiver(inter_byte_timeout_s=1.0, accept_safe_in_basic=False)
        assert receiver.feed(frame[:cut], 0.0, True) + receiver.feed(frame[cut:], 0.0, True) == [
            Packet(b"0DIS", framed=True)]
