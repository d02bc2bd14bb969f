"""Each check of `itpump fuzz` fails on the defect it is there for (planted with monkeypatch), names it, and hands
back a reproducer that replays it from the seed and frame index alone."""
from __future__ import annotations

import pytest

from drivers import grbl_protocol
from drivers.errors import DeviceTimeout
from drivers.ne1000 import NE1000Pump
from drivers.ne1000_link import NE1000Link
from hil.emulators.grbl_core import GrblCore
from hil.emulators.mtsics_core import MtSicsCore
from hil.fuzz.runner import fuzz_device
from hil.fuzz.targets import DEVICES

FRAMES = 1500


def kinds_and_problems(report) -> set[tuple[str, str]]:
    return {(failure.kind, failure.problem) for failure in report.failures}


@pytest.mark.requirements("SR-DRV-002", "SR-DRV-007", "SR-DRV-009")
def test_a_clean_run_has_no_failures_and_counts_every_kind_of_case():
    for device in DEVICES:
        report = fuzz_device(device, FRAMES, seed=11)
        assert report.failures == [] and report.n_frames >= FRAMES
        assert set(report.cases_by_kind) == {"core", "parsers", "driver"}
        assert sum(report.cases_by_kind.values()) == report.n_cases


def test_a_parser_returning_nan_is_a_failure(monkeypatch):
    monkeypatch.setattr(grbl_protocol, "parse_setting", lambda line: (110, float("nan")))
    report = fuzz_device("grbl", FRAMES, seed=1)
    assert ("parsers", "parse_setting returned the non-finite value nan") in kinds_and_problems(report)


def test_a_parser_raising_an_untyped_error_is_a_failure_naming_it(monkeypatch):
    def broken(line):
        return int(line)  # ValueError on anything but digits

    monkeypatch.setattr(grbl_protocol, "alarm_code", broken)
    report = fuzz_device("grbl", FRAMES, seed=1)
    problems = [failure.problem for failure in report.failures if failure.kind == "parsers"]
    assert problems and all(problem.startswith("ValueError: invalid literal for int()") for problem in problems)


def test_an_emulator_core_that_raises_on_a_byte_is_a_failure_with_its_frames(fragile_ne1000):
    report = fuzz_device("ne1000", FRAMES, seed=2)
    core_failures = [failure for failure in report.failures if failure.kind == "core"]
    assert core_failures and all(failure.problem.startswith("IndexError: no such byte") for failure in core_failures)
    assert all(any(b"\xff" in frame for frame in failure.frames) for failure in core_failures)


def test_an_emulator_that_falls_silent_after_noise_is_a_failure(monkeypatch):
    receive = MtSicsCore.receive

    def deafened(self, data, t_s):
        if b"TAC" in data:
            self.deaf = True
        return b"" if getattr(self, "deaf", False) else receive(self, data, t_s)

    monkeypatch.setattr(MtSicsCore, "receive", deafened)
    report = fuzz_device("balance", FRAMES, seed=3)
    assert ("core", "balance answered I4 with b'', not its serial number") in kinds_and_problems(report)


def test_a_pump_that_keeps_running_after_stop_is_a_failure(monkeypatch):
    monkeypatch.setattr(GrblCore, "_realtime", lambda self, byte: None)  # no feed hold, no soft reset
    report = fuzz_device("grbl", FRAMES, seed=4)
    assert any(failure.problem.startswith("GRBL still moving after feed hold and reset") for failure in report.failures)


def test_a_driver_stop_that_returns_without_stopping_is_a_failure(monkeypatch):
    monkeypatch.setattr(NE1000Pump, "stop", lambda self: None)
    report = fuzz_device("ne1000", FRAMES, seed=5)
    assert ("driver", "the driver's stop() returned, but the emulated pump is still moving") \
        in kinds_and_problems(report)


def test_a_driver_that_keeps_reading_past_its_timeout_is_a_failure(monkeypatch):
    read_reply = NE1000Link._read_reply

    def retrying(self, safe):
        while True:  # a driver that swallows its timeouts and reads again, forever
            try:
                return read_reply(self, safe)
            except DeviceTimeout:
                continue

    monkeypatch.setattr(NE1000Link, "_read_reply", retrying)
    report = fuzz_device("ne1000", FRAMES, seed=6)
    driver_problems = [failure.problem for failure in report.failures if failure.kind == "driver"]
    assert driver_problems and all("one timeout per request" in problem for problem in driver_problems)


def test_a_driver_read_without_a_finite_timeout_is_a_failure(monkeypatch):
    monkeypatch.setattr(NE1000Link, "_read_reply", lambda self, safe: self.transport.read_exact(99, float("inf")))
    report = fuzz_device("ne1000", 300, seed=7)
    assert any("timeout inf s: not a finite wait" in failure.problem for failure in report.failures)


def test_a_failing_case_replays_alone_from_its_seed_and_frame_index(fragile_ne1000):
    failure = fuzz_device("ne1000", FRAMES, seed=8).failures[-1]
    replay = fuzz_device("ne1000", 1, seed=8, from_frame_index=failure.frame_index)
    assert replay.n_cases == 1 and replay.failures == [failure]
