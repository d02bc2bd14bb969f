"""The Harvard pump prints its units in lower case (`5.0000 ml`, `100.0000 ul/hr`, protocols.md 2.1): a reply with an
upper-case unit is not one it sends, and is refused naming the field and the reply line, not read as a quantity."""
from __future__ import annotations

import pytest

from drivers import harvard_codec as codec
from drivers.errors import FramingError
from drivers.scripted import expected_exchange
from tests.support.harvard_script import VERSION, pump, reply

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize("line", ["5.0000 ML", "5.0000 Ml", "5.0000 UL"])
def test_a_counter_with_an_upper_case_volume_unit_is_refused_naming_the_line(line):
    script = [(b"ver\r", VERSION), (b"ivolume\r", reply(line))]
    with pytest.raises(FramingError) as raised, expected_exchange(pump(), script) as driver:
        driver.status()
    assert "ivolume" in str(raised.value) and repr(line) in str(raised.value)
    assert "lower case" in str(raised.value)


def test_a_rate_with_an_upper_case_unit_is_refused():
    script = [(b"ver\r", VERSION), (b"irate\r", reply("100.0000 UL/HR"))]
    with pytest.raises(FramingError, match=r"irate: unit 'UL/HR' in '100\.0000 UL/HR'"):
        with expected_exchange(pump(), script) as driver:
            driver.infusion_rate_ul_per_h()


def test_lower_case_units_are_read():
    assert codec.parse_quantity("5.0000 ml", codec.VOLUME_UNITS_UL, "ivolume") == pytest.approx(5000.0)
    assert codec.parse_quantity("100.0000 ul/hr", codec.RATE_UNITS_UL_PER_H, "irate") == pytest.approx(100.0)
