"""A planted defect the fuzz tests expect `itpump fuzz` to find."""
from __future__ import annotations

import pytest

from hil.emulators.ne1000_core import NE1000Core


@pytest.fixture()
def fragile_ne1000(monkeypatch: pytest.MonkeyPatch) -> None:
    """The NE-1000 core's parser raises IndexError on a 0xFF byte."""
    receive = NE1000Core.receive

    def fragile(self: NE1000Core, data: bytes, t_s: float) -> bytes:
        if b"\xff" in data:
            raise IndexError("no such byte")
        return receive(self, data, t_s)

    monkeypatch.setattr(NE1000Core, "receive", fragile)
