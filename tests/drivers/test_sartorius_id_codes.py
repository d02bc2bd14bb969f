"""drivers.sbi_lines / SartoriusBalance: in the 22-character format only a net line (ID code N) is read as the mass;
a gross (G#), tare (T) or any other ID code is refused, naming the code."""
from __future__ import annotations

import pytest

from drivers.errors import ProtocolError
from drivers.sartorius import SartoriusBalance
from drivers.sbi_lines import parse_weight_line


@pytest.mark.parametrize("line, code, meaning", [
    ("    G#+  12.3456 g  ", "G#", "gross"),
    ("     T+  12.3456 g  ", "T", "tare"),
    ("  Stat+  12.3456 g  ", "Stat", None),
])
def test_a_weight_line_with_another_id_code_than_net_is_refused_naming_it(line, code, meaning):
    with pytest.raises(ProtocolError) as raised:
        parse_weight_line(line)
    assert repr(code) in str(raised.value) and repr(line) in str(raised.value)
    if meaning is not None:
        assert meaning in str(raised.value)


class _OneLine:
    """The pyvisa resource a SartoriusBalance reads: answers every query with one line."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.bytes_in_buffer = 0

    def write(self, command: str) -> None:
        pass

    def read(self) -> str:
        return self.line + "\r\n"


def test_read_mass_immediately_refuses_a_gross_reading():
    balance = SartoriusBalance("ASRL::test::INSTR")
    balance._resource = _OneLine("    G#+  12.3456 g  ")  # the session open() would make
    with pytest.raises(ProtocolError, match="'G#'"):
        balance.read_mass_immediately()
