"""Shared test options. Real devices are reached only when named here on the command line."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("itpump devices")
    group.addoption("--ne1000-url", default=None, help="serial URL of a real NE-1000 pump (device tests)")
    group.addoption("--grbl-url", default=None, help="serial URL of a real GRBL stepper syringe (device tests)")
    group.addoption("--balance-resource", default=None, help="VISA resource of a real MT-SICS balance")


_SUPPORT = str(Path(__file__).parent / "support")  # shared test helpers (tests/support/*.py), e.g. fuzz strategies
if _SUPPORT not in sys.path:
    sys.path.insert(0, _SUPPORT)
