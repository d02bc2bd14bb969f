"""Where a request/reply exchange over a pty waits: the host thread writes a GRBL-sized request, a device thread
serving the pty's master end (select, read, work, write: as hil.emulators.pty_server) answers, the host reads the
reply. Printed side by side in one run for a few placements of Python work (busy-waiting, so its own length is
exact): the exchange time and the median of each phase, so the cost of the wake-ups between the threads, and what
Python work costs when the other thread is waking for the interpreter lock, can be read off.

    .venv/bin/python benchmarks/thread_hops.py [--exchanges 20000]

Phases: host write (the system call), write -> device awake (until the device thread's select returned and it holds
the interpreter again), device read, device work, device write, device write -> host awake (until the host's
select returned), host read. The work placements: device work before its reply, host work right after its request
(before it waits), device work right after its reply (before it waits again).
"""
from __future__ import annotations

import argparse
import os
import select
import statistics
import threading
import time
import tty

REQUEST = b"G21G91G1X0.0010000F0.0009554\n$G\n?"
REPLY = b"ok\r\n[GC:G1 G54 G17 G21 G91 G94 M5 M9 T0 F0 S0]\r\nok\r\n<Run|MPos:4.651,0.000,0.000|FS:0,0>\r\n"
PHASES = ("host write", "write -> device awake", "device read", "device work", "device write",
          "device write -> host awake", "host read")
PLACEMENTS_US = ((0, 0, 0), (30, 0, 0), (0, 10, 0), (0, 30, 0), (0, 0, 10))
"""(device work before its reply, host work after its request, device work after its reply), microseconds."""


def busy_us(duration_us: float) -> None:
    end_s = time.perf_counter() + duration_us * 1e-6
    while time.perf_counter() < end_s:
        pass


def exchanges(count: int, device_us: float, host_after_write_us: float, device_after_write_us: float
              ) -> tuple[float, dict[str, float]]:
    """Mean microseconds per exchange and the median microseconds of each phase."""
    master_fd, slave_fd = os.openpty()
    tty.setraw(slave_fd)
    stop = threading.Event()
    device_marks: list[tuple[float, float, float, float]] = []

    def serve() -> None:
        while not stop.is_set():
            readable, _, _ = select.select([master_fd], [], [], 0.01)
            if not readable:
                continue
            awake_s = time.perf_counter()
            os.read(master_fd, 4096)
            read_s = time.perf_counter()
            busy_us(device_us)
            worked_s = time.perf_counter()
            os.write(master_fd, REPLY)
            device_marks.append((awake_s, read_s, worked_s, time.perf_counter()))
            busy_us(device_after_write_us)

    device = threading.Thread(target=serve, daemon=True)
    device.start()
    host_marks = []
    start_s = time.perf_counter()
    for _ in range(count):
        before_s = time.perf_counter()
        os.write(slave_fd, REQUEST)
        written_s = time.perf_counter()
        busy_us(host_after_write_us)
        reply = b""
        while not reply.endswith(b">\r\n"):
            select.select([slave_fd], [], [], 1.0)
            awake_s = time.perf_counter()
            reply += os.read(slave_fd, 4096)
        host_marks.append((before_s, written_s, awake_s, time.perf_counter()))
    per_exchange_us = (time.perf_counter() - start_s) / count * 1e6
    stop.set()
    device.join(2.0)
    os.close(slave_fd)
    os.close(master_fd)
    phases: dict[str, list[float]] = {name: [] for name in PHASES}
    for (before, written, host_awake, host_read), (awake, read, worked, sent) in list(zip(host_marks, device_marks))[
            count // 100:]:  # the first exchanges warm up
        for name, seconds in zip(PHASES, (written - before, awake - written, read - awake, worked - read,
                                          sent - worked, host_awake - sent, host_read - host_awake)):
            phases[name].append(seconds * 1e6)
    return per_exchange_us, {name: statistics.median(values) for name, values in phases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=20000)
    args = parser.parse_args()
    print(f"{args.exchanges} exchanges per placement; phase medians in us: " + ", ".join(PHASES))
    for device_us, host_us, device_after_us in PLACEMENTS_US:
        per_exchange_us, phases = exchanges(args.exchanges, device_us, host_us, device_after_us)
        print(f"device work {device_us:2d} us, host work after request {host_us:2d} us, device work after reply "
              f"{device_after_us:2d} us: {per_exchange_us:6.1f} us per exchange | "
              + " ".join(f"{phases[name]:5.1f}" for name in PHASES))


if __name__ == "__main__":
    main()
