"""HarvardPump on scripted exchanges: what a reply must be before a number or a success is taken from it.

Text-line addresses are read strictly (two digits, one space, this pump's address), counters and rates carry no
sign, a set command is answered by its prompt alone, a withdrawing pump is an alarm, and a timeout names the command
and what had arrived."""
from __future__ import annotations

import pytest

from drivers import harvard_codec as codec
from drivers.errors import DeviceTimeout, FramingError
from drivers.scripted import expected_exchange
from tests.support.harvard_script import VERSION, pump, reply

pytestmark = pytest.mark.timeout(30)


# --- 1. the text-line address ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    b"\n12.3456 ul\r\n00>",      # no address: its first two digits were read as one (0.3456 uL)
    b"\n1234.5000 ul\r\n00>",    # (34.5 uL)
    b"\n0012.3456 ul\r\n00>",    # no space after the address
    b"\n03 5.0000 ul\r\n00>",    # a line from pump 03 in pump 00's reply
])
def test_a_counter_line_without_this_pump_s_address_is_a_framing_error_naming_command_and_line(answer):
    script = [(b"ver\r", VERSION), (b"ivolume\r", answer)]
    with pytest.raises(FramingError) as raised, expected_exchange(pump(), script) as driver:
        driver.status()
    line = answer.split(b"\r")[0][1:].decode()
    assert "'ivolume'" in str(raised.value) and repr(line) in str(raised.value)


def test_at_address_12_an_unaddressed_number_starting_with_12_is_not_taken_for_the_address():
    script = [(b"12:ver\r", reply("11 ELITE", address=12)), (b"12:ivolume\r", b"\n12.3456 ul\r\n12>")]
    with pytest.raises(FramingError, match=r"'12\.3456 ul'"), expected_exchange(pump(address=12), script) as driver:
        driver.status()


def test_an_unaddressed_rate_and_diameter_are_framing_errors_not_numbers_or_a_syringe_mismatch():
    script = [(b"ver\r", VERSION), (b"irate\r", b"\n100.0000 ul/hr\r\n00:")]
    with pytest.raises(FramingError, match="irate"), expected_exchange(pump(), script) as driver:
        driver.infusion_rate_ul_per_h()
    script = [(b"ver\r", VERSION), (b"diameter\r", b"\n14.4300 mm\r\n00:")]
    with pytest.raises(FramingError, match="diameter"), expected_exchange(pump(), script) as driver:
        driver.set_syringe_diameter_mm(14.43)


def test_the_codec_compares_the_text_line_address_with_the_pump_s():
    assert codec.parse_reply(b"\n07 5.0000 ul\r\n07:", True, 7).lines == ("5.0000 ul",)
    with pytest.raises(FramingError, match="address 00"):
        codec.parse_reply(b"\n00 5.0000 ul\r\n07:", True, 7)


# --- 2. signs ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["-5.0000", "+5.0000", "-0.0000"])
def test_a_signed_counter_is_refused(value):
    script = [(b"ver\r", VERSION), (b"ivolume\r", reply(f"{value} ul", prompt=">"))]
    with pytest.raises(FramingError, match=r"ivolume.*sign"), expected_exchange(pump(), script) as driver:
        driver.status()


def test_a_negative_rate_is_refused():
    script = [(b"ver\r", VERSION), (b"irate\r", reply("-100.0000 ul/hr"))]
    with pytest.raises(FramingError, match=r"irate.*sign"), expected_exchange(pump(), script) as driver:
        driver.infusion_rate_ul_per_h()


# --- 3. withdrawal ------------------------------------------------------------------------------------------------
START = [(b"irate 100.0000 ul/hr\r", reply()), (b"ivolume\r", reply("0.0000 ul")), (b"tvolume 100.0000 ul\r", reply()),
         (b"irun\r", reply(prompt="<"))]


def test_a_withdrawing_pump_is_an_alarm_in_every_status_that_finds_it_never_infusion():
    script = [(b"ver\r", VERSION), *START, (b"ivolume\r", reply("0.0000 ul", prompt="<")),
              (b"ivolume\r", reply("0.0000 ul", prompt="<"))]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.start()
        for _ in range(2):
            status = driver.status()
            assert (status.running, status.alarm) == (True, "wrong_direction")


def test_a_pump_withdrawing_though_never_started_is_an_alarm_too():
    script = [(b"ver\r", VERSION), (b"ivolume\r", reply("0.0000 ul", prompt="<"))]
    with expected_exchange(pump(), script) as driver:
        assert driver.status().alarm == "wrong_direction"


# --- 5. set commands ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["out of range", "Value error", "OK"])
def test_any_text_in_the_reply_to_a_set_command_raises_naming_command_and_text(text):
    script = [(b"ver\r", VERSION), (b"irate 100.0000 ul/hr\r", reply(text))]
    with pytest.raises(codec.HarvardCommandError) as raised, expected_exchange(pump(), script) as driver:
        driver.set_rate_ul_per_h(100.0)
    assert "irate 100.0000 ul/hr" in str(raised.value) and repr(text) in str(raised.value)
    assert driver.commanded_rate_ul_per_h is None


@pytest.mark.parametrize("command, call", [
    (b"tvolume 5.0000 ul\r", lambda driver: driver.set_target_volume_ul(5.0)),
    (b"ctvolume\r", lambda driver: driver.set_target_volume_ul(None)),
    (b"civolume\r", lambda driver: driver.clear_infused_volume()),
])
def test_other_set_commands_refuse_text_too(command, call):
    script = [(b"ver\r", VERSION), (command, reply("Value error"))]
    with pytest.raises(codec.HarvardCommandError, match="Value error"), expected_exchange(pump(), script) as driver:
        call(driver)


def test_stop_keeps_stopping_and_then_raises_the_text_a_reply_carried():
    script = [(b"ver\r", VERSION), (b"stop\r", reply("Value error", prompt=">")), (b"stop\r", reply())]
    with pytest.raises(codec.HarvardCommandError, match=r"stop.*Value error"):
        with expected_exchange(pump(), script) as driver:
            driver.stop()
    script = [(b"ver\r", VERSION), (b"stop\r", reply("Value error"))]
    with pytest.raises(codec.HarvardCommandError, match=r"stop.*Value error"):
        with expected_exchange(pump(), script) as driver:
            driver.stop()


# --- 6. timeouts ---------------------------------------------------------------------------------------------------
def test_a_reply_timeout_names_the_command_and_the_bytes_received_so_far():
    script = [(b"ver\r", VERSION), (b"ivolume\r", b"\n00 5.0000 ul\r")]
    with pytest.raises(DeviceTimeout) as raised, expected_exchange(pump(), script) as driver:
        driver.status()
    assert "'ivolume'" in str(raised.value) and repr(b"\n00 5.0000 ul\r") in str(raised.value)
