"""The committed JSON Schemas as validators, loaded once."""
from __future__ import annotations

import pytest
from cli_json import load_validators


@pytest.fixture(scope="session")
def validators():
    return load_validators()
