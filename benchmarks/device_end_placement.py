"""Would serving the emulators from a separate process shorten a request/reply exchange? Measured, not assumed.

The harness and the emulators share one interpreter (the emulators' serving threads, hil.emulators.pty_server), so
their Python work holds the same interpreter lock. This benchmark times N request/reply exchanges over a pty, side
by side in one run, with the device end served by a thread of this process and by a forked child process, for a
device end that spends `device_us` of CPU per request and a harness that spends `harness_us` after each reply (the
serial path's figures: about 15 us for a bare responder, 40 - 80 us for the NE-1000 and GRBL emulators; 100 -
190 us of harness work per supervision tick). The busy work is CPU time of the thread that does it, so both
placements do the same work.

A request/reply exchange leaves nothing to run side by side: the harness waits for the reply, and the device waits
for the next request. So a separate process only helps if the ratio thread / process is clearly above 1.
Run: .venv/bin/python benchmarks/device_end_placement.py [--exchanges N] [--repeat R]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import select
import threading
import time
import tty
from collections.abc import Callable

REQUEST = b"\x0200DIS\x03"
REPLY = b"\x0200SI1.234W0.000UL\x03"
ETX = b"\x03"
FIGURES_US = ((15, 100), (80, 100), (15, 190), (80, 190))
"""(device_us, harness_us) pairs measured."""


def spend_cpu_us(duration_us: float) -> None:
    end_s = time.thread_time() + duration_us * 1e-6
    while time.thread_time() < end_s:
        pass


def serve(master_fd: int, device_us: float) -> None:
    pending = b""
    while True:
        try:
            data = os.read(master_fd, 4096)
        except OSError:
            return  # the host closed its end
        if not data:
            return
        pending += data
        while ETX in pending:
            _, _, pending = pending.partition(ETX)
            spend_cpu_us(device_us)
            os.write(master_fd, REPLY)


def exchange_us(placement: str, device_us: float, harness_us: float, count: int) -> float:
    """Mean wall microseconds per exchange with the device end served by a 'thread' or a 'process'."""
    master_fd, slave_fd = os.openpty()
    tty.setraw(slave_fd)
    port_fd = os.open(os.ttyname(slave_fd), os.O_RDWR | os.O_NOCTTY)
    os.close(slave_fd)
    stop: Callable[[], None]
    if placement == "thread":
        thread = threading.Thread(target=serve, args=(master_fd, device_us), daemon=True)
        thread.start()
        stop = lambda: thread.join(timeout=2.0)  # noqa: E731
    else:
        child = multiprocessing.get_context("fork").Process(target=serve, args=(master_fd, device_us), daemon=True)
        child.start()
        stop = lambda: child.join(timeout=2.0)  # noqa: E731
    try:
        start_s = time.perf_counter()
        for _ in range(count):
            os.write(port_fd, REQUEST)
            reply = b""
            while not reply.endswith(ETX):
                readable, _, _ = select.select([port_fd], [], [], 5.0)
                if not readable:
                    raise RuntimeError(f"no reply within 5 s ({placement})")
                reply += os.read(port_fd, 4096)
            spend_cpu_us(harness_us)
        return (time.perf_counter() - start_s) / count * 1e6
    finally:
        os.close(port_fd)
        os.close(master_fd)
        stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each placement, alternating; best kept")
    args = parser.parse_args()
    print(f"{args.exchanges} exchanges per run, best of {args.repeat} (alternating placements)")
    for device_us, harness_us in FIGURES_US:
        best = {"thread": float("inf"), "process": float("inf")}
        for _ in range(args.repeat):
            for placement in best:
                best[placement] = min(best[placement], exchange_us(placement, device_us, harness_us, args.exchanges))
        print(f"device end {device_us:3d} us, harness {harness_us:3d} us per exchange: "
              f"thread {best['thread']:6.1f} us, process {best['process']:6.1f} us, "
              f"thread / process = {best['thread'] / best['process']:.2f}")


if __name__ == "__main__":
    main()
