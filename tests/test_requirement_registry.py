"""The requirement registry is the one source of SR IDs: every ID is verified by a test, every cited ID exists."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from firmware_sim.requirements import REQUIREMENTS, describe

ROOT = Path(__file__).resolve().parents[1]
SR_ID = re.compile(r"SR-[A-Z]+-\d{3}")


def _ids_in(folder: str, pattern: str) -> set[str]:
    return {rid for path in (ROOT / folder).rglob(pattern) for rid in SR_ID.findall(path.read_text())}


def test_every_registered_requirement_is_named_by_a_test():
    named = _ids_in("tests", "*.py") | _ids_in("bench_configs/scenarios", "*.yaml")
    assert sorted(set(REQUIREMENTS) - named) == []


def test_code_and_scenarios_cite_only_registered_requirements():
    cited = set()
    for folder in ("firmware_sim", "drivers", "hil"):
        cited |= _ids_in(folder, "*.py")
    cited |= _ids_in("bench_configs", "*.yaml")
    assert cited, "no requirement IDs cited at all"
    assert sorted(cited - set(REQUIREMENTS)) == []


def test_describe_names_an_unknown_id():
    assert describe("SR-PK-001") == REQUIREMENTS["SR-PK-001"]
    with pytest.raises(KeyError, match="SR-NOPE-999"):
        describe("SR-NOPE-999")
