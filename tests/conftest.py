"""Shared test options. Real devices are reached only when named here on the command line."""
from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("itpump devices")
    group.addoption("--ne1000-url", default=None, help="serial URL of a real NE-1000 pump (device tests)")
    group.addoption("--grbl-url", default=None, help="serial URL of a real GRBL stepper syringe (device tests)")
    group.addoption("--balance-resource", default=None, help="VISA resource of a real MT-SICS balance")
