"""A 30-day scenario through the real serial path versus the same number of bare request/reply exchanges.

Side by side in one run:
- bare: N exchanges (N = the scenario's supervision ticks) over a pty with pyserial (write a request, read the reply
  up to its ETX) against a minimal responder thread on the pty's master end (blocking read, fixed reply);
- each emulated rig (`emulated-ne1000`, `emulated-grbl`: virtual clock, emulators on ptys in this process): the
  whole `run_scenario` of benchmarks/thirty-day-flex.yaml, split into the serial path (set-up, steps, supervision
  ticks, final stop: RunExecution.run without its verdict), the verdict (expectations and the PK prediction) and the
  rest (rig open/close, record, outputs: plots, report).

Ratios are rig time / bare time; the target is serial path <= 1.5 x bare. The bare exchanges are timed before and
after the rigs (the ratio is to their mean), and CPU seconds of the whole process (every thread: the responder, the
emulators) are printed beside wall seconds: on a shared machine wall time moves with the load by a factor of two
within minutes, CPU time much less. Run:
    .venv/bin/python benchmarks/serial_path.py [--rig emulated-ne1000] [--scenario FILE] [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import tty
from collections.abc import Sequence
from pathlib import Path

import serial

from firmware_sim.outcome import Outcome
from hil.config.loading import load_model
from hil.config.scenario import ScenarioConfig
from hil.runner import RunOptions, run_scenario
from hil.runner import execution as execution_module
from hil.runner.sampling import supervision_times_s

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_SCENARIO = HERE / "thirty-day-flex.yaml"
RIGS = ("emulated-ne1000", "emulated-grbl")
REQUEST = b"\x0200DIS\x03"
REPLY = b"\x0200SI1.234W0.000UL\x03"
ETX = b"\x03"


def bare_exchanges_s(count: int) -> tuple[float, float]:
    """Wall and process CPU seconds for `count` request/reply exchanges with pyserial over a pty, a responder thread
    at the far end."""
    master_fd, slave_fd = os.openpty()
    tty.setraw(slave_fd)
    path = os.ttyname(slave_fd)
    os.close(slave_fd)
    stop = threading.Event()

    def respond() -> None:
        pending = b""
        while not stop.is_set():
            try:
                pending += os.read(master_fd, 4096)
            except OSError:
                return
            while ETX in pending:
                _, _, pending = pending.partition(ETX)
                os.write(master_fd, REPLY)

    port = serial.Serial(path, 19200, timeout=5.0)  # before the responder: a master read with no slave open fails
    thread = threading.Thread(target=respond, daemon=True)
    thread.start()
    try:
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            port.write(REQUEST)
            reply = port.read_until(ETX)
            if reply != REPLY:
                raise RuntimeError(f"bare exchange: expected {REPLY!r}, got {reply!r}")
        return time.perf_counter() - start, time.process_time() - start_cpu
    finally:
        stop.set()
        port.close()
        thread.join(timeout=2.0)
        os.close(master_fd)


class PhaseTimer:
    """Times RunExecution.run and RunExecution._verdict of the runs made while it is installed."""

    def __init__(self) -> None:
        self.run_s = self.run_cpu_s = 0.0
        self.verdict_s = self.verdict_cpu_s = 0.0

    def __enter__(self) -> PhaseTimer:
        cls = execution_module.RunExecution
        self._originals = (cls.run, cls._verdict)
        timer = self
        original_run, original_verdict = self._originals

        def run(self, interrupt):  # noqa: ANN001, ANN202
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                return original_run(self, interrupt)
            finally:
                timer.run_s += time.perf_counter() - start
                timer.run_cpu_s += time.process_time() - start_cpu

        def verdict(self):  # noqa: ANN001, ANN202
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                return original_verdict(self)
            finally:
                timer.verdict_s += time.perf_counter() - start
                timer.verdict_cpu_s += time.process_time() - start_cpu

        cls.run, cls._verdict = run, verdict
        return self

    def __exit__(self, *exc: object) -> None:
        execution_module.RunExecution.run, execution_module.RunExecution._verdict = self._originals


def machine_line() -> str:
    """The processor and the load the figures were taken under: the ratio moves with both (a thread hand-over and
    the same Python in situ cost differently from one processor to the next)."""
    model = "unknown processor"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    return f"machine: {model}, {os.cpu_count()} processors, load average {os.getloadavg()[0]:.2f} at the start"


def rig_run_s(scenario: Path, rig: str, out_dir: Path) -> tuple[float, PhaseTimer, Outcome]:
    with PhaseTimer() as timer:
        start = time.perf_counter()
        result = run_scenario(scenario, REPO / "bench_configs" / "rigs" / f"{rig}.yaml", RunOptions(out_dir=out_dir))
        total_s = time.perf_counter() - start
    return total_s, timer, result.outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--rig", action="append", choices=RIGS, help="rig to run (repeatable; default both)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="rounds of bare, rigs, bare; with N > 1 also the median and range of each rig's ratio "
                             "(single runs on a shared machine spread widely)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    os.environ.setdefault("ITPUMP_BENCH_CONFIGS", str(REPO / "bench_configs"))
    scenario = load_model(args.scenario, ScenarioConfig)
    ticks = len(supervision_times_s(0.0, scenario.supervision_period_s, scenario.duration_h * 3600.0))
    print(machine_line())
    print(f"scenario {scenario.name}: {scenario.duration_h:g} h, supervision every {scenario.supervision_period_s:g} s "
          f"= {ticks} ticks")
    ratios: dict[str, list[float]] = {rig: [] for rig in args.rig or RIGS}
    for round_index in range(args.repeat):
        if args.repeat > 1:
            print(f"round {round_index + 1} of {args.repeat}")
        for rig, ratio in one_round(args.scenario, args.rig or RIGS, ticks):
            ratios[rig].append(ratio)
    if args.repeat > 1:
        for rig, values in ratios.items():
            print(f"{rig:16s} serial path / bare over {len(values)} rounds: median {statistics.median(values):.2f} x, "
                  f"range {min(values):.2f} - {max(values):.2f} x")


def one_round(scenario: Path, rigs: Sequence[str], ticks: int) -> list[tuple[str, float]]:
    """The bare exchanges, each rig's run, the bare exchanges again; prints the figures; (rig, serial path / bare)."""
    bare_before = bare_exchanges_s(ticks)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for rig in rigs:
            runs.append((rig, *rig_run_s(scenario, rig, Path(tmp) / rig)))
    bare_after = bare_exchanges_s(ticks)
    bare_s, bare_cpu_s = ((b + a) / 2 for b, a in zip(bare_before, bare_after))
    print(f"bare pyserial exchanges over a pty: {ticks} before / after the rigs in {bare_before[0]:.2f} / "
          f"{bare_after[0]:.2f} s ({bare_s / ticks * 1e6:.0f} us each on average), CPU {bare_cpu_s:.2f} s")
    ratios = []
    for rig, total_s, timer, outcome in runs:
        serial_path_s = timer.run_s - timer.verdict_s
        serial_path_cpu_s = timer.run_cpu_s - timer.verdict_cpu_s
        print(
            f"{rig:16s} {outcome.value}: serial path {serial_path_s:6.2f} s = {serial_path_s / bare_s:5.2f} x bare "
            f"(CPU {serial_path_cpu_s:6.2f} s = {serial_path_cpu_s / bare_cpu_s:5.2f} x); verdict (PK) "
            f"{timer.verdict_s:5.2f} s; rest (open, record, outputs) {total_s - timer.run_s:5.2f} s; "
            f"whole run {total_s:6.2f} s = {total_s / bare_s:5.2f} x bare"
        )
        ratios.append((rig, serial_path_s / bare_s))
    return ratios


if __name__ == "__main__":
    main()
