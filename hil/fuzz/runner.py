"""The fuzz loop: cases of one device until it has handed over the frames asked for, each case seeded from
(seed, device, index of its first frame), so `--seed S --from-frame I` replays a failing case alone."""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from firmware_sim.outcome import Outcome
from hil.fuzz.mutations import RandomChooser
from hil.fuzz.targets import DEVICES, Case, describe, run_case
from hil.results.fuzz import FuzzDevice, FuzzFailure


@dataclass(frozen=True)
class Failure:
    device: str
    seed: int
    frame_index: int
    """Index of the case's first frame: `itpump fuzz --device D --seed S --from-frame I --frames 1` replays it."""
    kind: str
    problem: str
    frames: tuple[bytes, ...]

    def to_result(self) -> FuzzFailure:
        return FuzzFailure(device=self.device, seed=self.seed, frame_index=self.frame_index, kind=self.kind,
                           problem=self.problem, frames_hex=tuple(frame.hex() for frame in self.frames),
                           replay=self.replay_command())

    def replay_command(self) -> str:
        return f"itpump fuzz --device {self.device} --seed {self.seed} --from-frame {self.frame_index} --frames 1"


@dataclass
class DeviceReport:
    device: str
    seed: int
    n_frames: int = 0
    n_cases: int = 0
    cases_by_kind: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    @property
    def frames_per_s(self) -> float:
        return self.n_frames / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_result(self) -> FuzzDevice:
        return FuzzDevice(outcome=Outcome.FAIL if self.failures else Outcome.PASS, device=self.device,
                          frames=self.n_frames, cases=self.n_cases,
                          cases_by_kind=dict(sorted(self.cases_by_kind.items())),
                          elapsed_s=round(self.elapsed_s, 3), frames_per_s=round(self.frames_per_s, 1),
                          failures=tuple(failure.to_result() for failure in self.failures))


def case_rng(seed: int, device: str, frame_index: int) -> random.Random:
    return random.Random(f"{seed}:{device}:{frame_index}")


def fuzz_device(device: str, n_frames: int, seed: int, from_frame_index: int = 0,
                advance: Callable[[int, int], None] | None = None) -> DeviceReport:
    """Cases of `device` from frame index from_frame_index until n_frames frames were handed over (the last case
    may go past). advance(n_frames, n_failures) is called after each case."""
    target = DEVICES[device]
    report = DeviceReport(device, seed)
    started_s = time.perf_counter()
    index = from_frame_index
    while report.n_frames < n_frames:
        case = Case()
        try:
            run_case(target, RandomChooser(case_rng(seed, device, index)), case)
        except Exception as exc:  # noqa: BLE001 - every escape is a finding, recorded with its reproducer
            report.failures.append(Failure(device, seed, index, case.kind, describe(exc), tuple(case.frames)))
        used = max(len(case.frames), 1)
        report.n_frames += used
        report.n_cases += 1
        report.cases_by_kind[case.kind] = report.cases_by_kind.get(case.kind, 0) + 1
        index += used
        if advance is not None:
            advance(used, len(report.failures))
    report.elapsed_s = time.perf_counter() - started_s
    return report
