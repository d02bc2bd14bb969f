"""Every firmware/safety requirement ID is named by at least one test in these folders."""
from __future__ import annotations

import re
from pathlib import Path

from firmware_sim.requirements import REQUIREMENTS

PREFIXES = ("SR-DOSE-", "SR-BOL-", "SR-PTM-", "SR-TIT-", "SR-RES-", "SR-ALM-", "SR-PRM-", "SR-SUP-")
TEST_DIRS = [Path(__file__).parent, Path(__file__).parents[1] / "pump"]


def test_every_firmware_requirement_is_named_by_a_test():
    text = "\n".join(p.read_text() for d in TEST_DIRS for p in d.glob("test_*.py") if p.name != Path(__file__).name)
    named = set(re.findall(r"SR-[A-Z]+-\d{3}", text))
    ours = {rid for rid in REQUIREMENTS if rid.startswith(PREFIXES)}
    assert ours, "no firmware requirements registered"
    assert sorted(ours - named) == []
