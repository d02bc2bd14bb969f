"""`itpump fuzz --device harvard`: the Harvard pump-chain emulator and driver get the same checks as the others, and
each check fails on the defect it is there for (planted with monkeypatch)."""
from __future__ import annotations

import pytest

from drivers import harvard_codec
from drivers.harvard import HarvardPump
from hil.devices.catalog import CATALOG
from hil.emulators.harvard_core import HarvardCore
from hil.fuzz.runner import fuzz_device
from hil.fuzz.targets import DEVICES

FRAMES = 1500


def problems(report) -> set[tuple[str, str]]:
    return {(failure.kind, failure.problem) for failure in report.failures}


def test_every_device_kind_of_the_catalog_is_fuzzed():
    assert set(DEVICES) == {entry.name for entry in CATALOG}


@pytest.mark.requirements("SR-DRV-002", "SR-DRV-007", "SR-DRV-009")
def test_a_clean_harvard_run_has_no_failures_and_every_kind_of_case():
    report = fuzz_device("harvard", FRAMES, seed=3)
    assert report.failures == [] and report.n_frames >= FRAMES
    assert set(report.cases_by_kind) == {"core", "parsers", "driver"}


def test_a_harvard_pump_that_keeps_running_after_stp_is_a_failure(monkeypatch):
    monkeypatch.setattr(HarvardCore, "stop", lambda self: None)
    report = fuzz_device("harvard", FRAMES, seed=4)
    assert any(failure.problem.startswith("Harvard pump still moving after stp") for failure in report.failures)


def test_a_harvard_driver_stop_that_returns_without_stopping_is_a_failure(monkeypatch):
    monkeypatch.setattr(HarvardPump, "stop", lambda self: None)
    report = fuzz_device("harvard", FRAMES, seed=5)
    assert ("driver", "the driver's stop() returned, but the emulated pump is still moving") in problems(report)


def test_a_harvard_quantity_parser_returning_nan_is_a_failure(monkeypatch):
    monkeypatch.setattr(harvard_codec, "parse_quantity", lambda text, units, field: float("nan"))
    report = fuzz_device("harvard", FRAMES, seed=6)
    assert ("parsers", "harvard_codec.parse_quantity returned the non-finite value nan") in problems(report)


def test_a_harvard_emulator_that_stops_answering_ver_is_a_failure(monkeypatch):
    from hil.emulators import harvard_commands

    real = harvard_commands._version
    monkeypatch.setitem(harvard_commands._HANDLERS, "ver", lambda core, args: [real(core, args)[0] + "x"])
    report = fuzz_device("harvard", FRAMES, seed=7)
    assert any(failure.kind == "core" and failure.problem.startswith("Harvard pump answered ver with")
               for failure in report.failures)
