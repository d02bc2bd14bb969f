"""Round-trip times of the NE-1000 driver against the pty emulator: status query and rate change,
basic and safe mode, byte-time modelling off and on, compared with the wire time the baud rate implies.

Run: .venv/bin/python benchmarks/serial_roundtrip.py [--transactions N]
"""
from __future__ import annotations

import argparse
import statistics
import time

from drivers import ne1000_codec as codec
from drivers.ne1000 import NE1000Pump
from drivers.transport import SerialTransport
from firmware_sim.clock import WallClock
from hil.emulators.ne1000 import EmulatedNE1000

BAUD = 19200
BITS_PER_BYTE = 10  # 8N1: start + 8 data + stop


def wire_time_s(request: str, reply: str, safe: bool) -> float:
    encode = codec.encode_safe if safe else codec.encode_basic
    reply_bytes = len(codec.encode_safe(reply)) if safe else len(reply) + 2
    return (len(encode(request)) + reply_bytes) * BITS_PER_BYTE / BAUD


def measure_s(action, count: int) -> list[float]:
    samples = []
    for index in range(count):
        start = time.perf_counter()
        action(index)
        samples.append(time.perf_counter() - start)
    return samples


def p99(samples: list[float]) -> float:
    return sorted(samples)[min(len(samples) - 1, int(0.99 * len(samples)))]


def run(safe: bool, byte_timing: bool, count: int) -> None:
    device = EmulatedNE1000(WallClock(), byte_timing=byte_timing, baud=BAUD)
    path = device.start()
    pump = NE1000Pump(SerialTransport(path, baudrate=BAUD, timeout_s=1.0), safe_mode=safe, safe_mode_timeout_s=255,
                      heartbeat=False, max_rate_ul_per_h=10_000.0)
    try:
        pump.open()
        pump.set_rate_ul_per_h(100.0)
        pump.start()
        cases = {
            "status query": (lambda i: pump.query_prompt(), wire_time_s("0", "00I", safe)),
            "rate change": (lambda i: pump.set_rate_ul_per_h(100.0 + i % 2), wire_time_s("0RAT101UH", "00I", safe)),
        }
        for name, (action, wire_s) in cases.items():
            samples = measure_s(action, count)
            median = statistics.median(samples)
            mode = "safe " if safe else "basic"
            timing = "on " if byte_timing else "off"
            print(
                f"{mode} byte-timing {timing} {name:12s}: median {median * 1e3:6.2f} ms"
                f"  p99 {p99(samples) * 1e3:6.2f} ms"
                f"  {1 / median:7.0f} transactions/s  wire {wire_s * 1e3:5.2f} ms  median/wire {median / wire_s:5.2f}"
            )
        pump.stop()
    finally:
        pump.close()
        device.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=300, help="exchanges per case (default 300)")
    args = parser.parse_args()
    for byte_timing in (False, True):
        for safe in (False, True):
            run(safe, byte_timing, args.transactions)


if __name__ == "__main__":
    main()
