"""NE-1000 driver against recorded byte exchanges (basic and safe mode)."""
from __future__ import annotations

import functools

import pytest

from drivers.errors import DeviceAlarm, DeviceTimeout, FramingError, LimitExceeded, ProtocolError
from drivers.errors import SyringeMismatch
from drivers.ne1000 import NE1000Pump
from drivers.ne1000_codec import NE1000CommandError
from drivers.scripted import ScriptedTransport, ScriptMismatch, expected_exchange
from ne1000_frames import basic_reply as br
from ne1000_frames import basic_request as bq
from ne1000_frames import open_script, safe_packet, safe_request

pytestmark = pytest.mark.timeout(30)


def basic_pump(**options):
    return functools.partial(NE1000Pump, max_rate_ul_per_h=5000.0, **options)


def test_open_configures_basic_mode_program_and_reads_version_and_units():
    with expected_exchange(basic_pump(), open_script()) as pump:
        assert pump.firmware.model == "1000"
        assert pump.firmware.version == "3.928"
        assert pump.firmware.upgrade is None
        assert not pump.reset_seen_at_open


def test_power_up_reset_alarm_is_acknowledged_and_the_first_command_resent():
    script = [(safe_request("SAF0"), br("00A?R"))] + open_script()
    with expected_exchange(basic_pump(), script) as pump:
        assert pump.reset_seen_at_open


@pytest.mark.parametrize("version, model, upgrade", [
    ("NE1000X2V3.928", "1000", "X2"), ("NE500XV3.60", "500", "X"), ("NE4000V3.919", "4000", None),
])
def test_version_variants(version, model, upgrade):
    with expected_exchange(basic_pump(), open_script(version=version)) as pump:
        assert (pump.firmware.model, pump.firmware.upgrade) == (model, upgrade)


def test_unparseable_version_and_wrong_model_are_protocol_errors():
    script = open_script(version="NEW ERA 1000")[:2]
    with pytest.raises(ProtocolError, match="NEW ERA 1000"), expected_exchange(basic_pump(), script):
        pass
    script = open_script(version="NE500V3.60")[:2]
    with pytest.raises(ProtocolError, match=r"NE-1000.*NE-500"):
        with expected_exchange(basic_pump(expected_model="1000"), script):
            pass


def test_address_is_sent_and_checked():
    with expected_exchange(basic_pump(address=7), open_script(address=7) + [(bq("RUN", 7), br("07I"))]) as pump:
        pump.start()
    script = open_script()[:1] + [(bq("VER"), br("03SNE1000V3.928"))]
    with pytest.raises(ProtocolError, match="address 3"), expected_exchange(basic_pump(), script):
        pass


@pytest.mark.parametrize("rate_ul_per_h, wire", [
    (100.0, "RAT100UH"), (1.5, "RAT1.5UH"), (12.3456, "RAT12.35UH"), (90000.0 / 20, "RAT4500UH"),
])
def test_rate_while_stopped_uses_the_most_precise_unit(rate_ul_per_h, wire):
    with expected_exchange(basic_pump(), open_script() + [(bq(wire), br("00S"))]) as pump:
        pump.set_rate_ul_per_h(rate_ul_per_h)
        assert pump.commanded_rate_ul_per_h == pytest.approx(rate_ul_per_h, rel=1e-3)
        assert pump.rate_writes_while_stopped == 1


def test_rate_above_9999_uh_switches_unit():
    pump_factory = functools.partial(NE1000Pump, max_rate_ul_per_h=100_000.0)
    with expected_exchange(pump_factory, open_script() + [(bq("RAT1500UM"), br("00S"))]) as pump:
        pump.set_rate_ul_per_h(90_000.0)
        assert pump.commanded_rate_ul_per_h == 90_000.0


@pytest.mark.requirements("SR-DRV-008")
def test_rate_change_while_running_keeps_the_running_unit_and_is_not_an_eeprom_write():
    script = open_script(rate_reply="1.000UM") + [
        (bq("RUN"), br("00I")),
        (bq("RAT2.5UM"), br("00I")),  # 150 uL/h in the running unit (uL/min), not 150UH
    ]
    with expected_exchange(basic_pump(), script) as pump:
        pump.start()
        pump.set_rate_ul_per_h(150.0)
        assert pump.rate_writes_while_stopped == 0
        assert pump.commanded_rate_ul_per_h == 150.0


@pytest.mark.requirements("SR-DRV-006", "SR-DRV-008")
def test_rate_not_expressible_in_the_running_unit_is_refused_without_io():
    script = open_script(rate_reply="1.000MM") + [(bq("RUN"), br("00I"))]
    with expected_exchange(basic_pump(), script) as pump:
        pump.start()
        with pytest.raises(LimitExceeded, match="MM"):
            pump.set_rate_ul_per_h(0.5)  # 8.3e-6 mL/min rounds to 0


@pytest.mark.requirements("SR-DRV-001")
@pytest.mark.parametrize("rate_ul_per_h", [5000.01, 1e9])
def test_rate_above_rig_maximum_is_refused_and_nothing_is_sent(rate_ul_per_h):
    with expected_exchange(basic_pump(), open_script()) as pump, pytest.raises(LimitExceeded, match="SR-DRV-001"):
        pump.set_rate_ul_per_h(rate_ul_per_h)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_invalid_rate_is_a_value_error_without_io(bad):
    with expected_exchange(basic_pump(), open_script()) as pump, pytest.raises(ValueError, match="rate_ul_per_h"):
        pump.set_rate_ul_per_h(bad)


@pytest.mark.requirements("SR-DRV-006")
def test_rate_that_would_be_rounded_beyond_tolerance_is_refused():
    with expected_exchange(basic_pump(), open_script()) as pump, pytest.raises(LimitExceeded, match="SR-DRV-006"):
        pump.set_rate_ul_per_h(0.0006)  # would become 0.001 uL/h


def test_diameter_and_target_volume_in_the_units_the_pump_reports():
    script = open_script() + [
        (bq("DIA"), br("00S4.699")),
        (bq("DIA4.699"), br("00S")),
        (bq("DIA"), br("00S4.699")),
        (bq("VOL"), br("00S0.000UL")),
        (bq("VOL250"), br("00S")),
        (bq("VOL"), br("00S0.250ML")),
        (bq("VOL1.5"), br("00S")),
        (bq("VOL0"), br("00S")),
    ]
    with expected_exchange(basic_pump(), script) as pump:
        pump.set_syringe_diameter_mm(4.699)
        assert pump.open_findings == []  # the pump was already set for this syringe
        pump.set_target_volume_ul(250.0)
        pump.set_target_volume_ul(1500.0)
        pump.set_target_volume_ul(None)


@pytest.mark.requirements("SR-DRV-011")
def test_a_pump_reporting_another_diameter_than_it_was_given_is_a_syringe_mismatch_naming_both():
    script = open_script() + [(bq("DIA"), br("00S4.699")), (bq("DIA14.43"), br("00S")), (bq("DIA"), br("00S4.699"))]
    with expected_exchange(basic_pump(), script) as pump:
        with pytest.raises(SyringeMismatch, match=r"DIA14\.43 but reports a 4\.699 mm syringe, not the 14\.43 mm"):
            pump.set_syringe_diameter_mm(14.43)


def test_the_diameter_the_pump_had_before_is_kept_as_a_finding():
    script = open_script() + [(bq("DIA"), br("00S4.699")), (bq("DIA14.43"), br("00S")), (bq("DIA"), br("00S14.43"))]
    with expected_exchange(basic_pump(), script) as pump:
        pump.set_syringe_diameter_mm(14.43)
    assert pump.open_findings == ["NE-1000 was set for a 4.699 mm syringe; set to 14.43 mm"]


def test_diameter_out_of_range_is_refused_without_io():
    with expected_exchange(basic_pump(), open_script()) as pump, pytest.raises(ValueError, match=r"0\.1\.\.50\.0 mm"):
        pump.set_syringe_diameter_mm(60.0)


@pytest.mark.parametrize("error, code", [("?", ""), ("?NA", "NA"), ("?OOR", "OOR"), ("?IGN", "IGN")])
def test_command_errors_raise_with_code_and_command(error, code):
    script = open_script() + [(bq("DIA"), br("00S14.43")), (bq("DIA4.699"), br("00S" + error))]
    with expected_exchange(basic_pump(), script) as pump:
        with pytest.raises(NE1000CommandError) as raised:
            pump.set_syringe_diameter_mm(4.699)
        assert raised.value.code == code
        assert "DIA4.699" in str(raised.value)


@pytest.mark.requirements("SR-DRV-005")
@pytest.mark.parametrize("char, name", [("R", "reset"), ("S", "stall"), ("T", "watchdog"),
                                        ("E", "program_error"), ("O", "out_of_range")])
def test_alarm_replies_raise_device_alarm(char, name):
    with expected_exchange(basic_pump(), open_script() + [(bq("RUN"), br(f"00A?{char}"))]) as pump:
        with pytest.raises(DeviceAlarm) as raised:
            pump.start()
        assert raised.value.alarm == name


@pytest.mark.requirements("SR-DRV-007")
def test_stop_while_running_goes_through_pause_to_stopped():
    script = open_script() + [(bq("RUN"), br("00I")), (bq("STP"), br("00P")), (bq("STP"), br("00S"))]
    with expected_exchange(basic_pump(), script) as pump:
        pump.start()
        pump.stop()
        assert pump.prompt() == "S"


def test_pause_sends_one_stp_and_start_resumes():
    script = open_script() + [(bq("RUN"), br("00I")), (bq("STP"), br("00P")), (bq("RUN"), br("00I"))]
    with expected_exchange(basic_pump(), script) as pump:
        pump.start()
        pump.pause()
        assert pump.prompt() == "P"
        pump.start()


@pytest.mark.requirements("SR-DRV-005", "SR-DRV-007")
def test_stop_acknowledges_an_alarm_keeps_it_for_status_and_still_stops():
    script = open_script() + [
        (bq("STP"), br("00A?S")), (bq("STP"), br("00S")),
        (bq("DIS"), br("00SI0.120W0.000ML")),
    ]
    with expected_exchange(basic_pump(), script) as pump:
        pump.stop()
        status = pump.status()
    assert status.alarm == "stall"
    assert status.running is False
    assert status.infused_ul == pytest.approx(120.0)


def test_status_running_and_dispensed_volume():
    script = open_script() + [(bq("DIS"), br("00II12.5W0.300UL"))]
    with expected_exchange(basic_pump(), script) as pump:
        status = pump.status()
    assert (status.running, status.infused_ul, status.alarm) == (True, 12.5, None)


def test_status_with_alarm_requeries_for_the_real_prompt():
    script = open_script() + [(bq("DIS"), br("00A?T")), (bq("DIS"), br("00SI1.000W0.000ML"))]
    with expected_exchange(basic_pump(), script) as pump:
        status = pump.status()
    assert (status.running, status.infused_ul, status.alarm) == (False, 1000.0, "watchdog")


def test_an_alarm_acknowledged_by_a_status_that_then_fails_is_reported_by_the_next_status():
    script = open_script() + [(bq("DIS"), br("00A?S")), (bq("DIS"), br("00S?")),
                              (bq("DIS"), br("00SI0.000W0.000ML"))]
    with expected_exchange(basic_pump(), script) as pump:
        with pytest.raises(NE1000CommandError):
            pump.status()
        assert pump.status().alarm == "stall"  # acknowledged by the failed status: not lost


def test_a_status_that_keeps_getting_alarms_raises_after_the_requeries_and_keeps_them():
    alarms = ["00A?S", "00A?T", "00A?R", "00A?S"]
    script = open_script() + [(bq("DIS"), br(a)) for a in alarms] + [(bq("DIS"), br("00SI0.000W0.000ML"))] * 3
    with expected_exchange(basic_pump(), script) as pump:
        with pytest.raises(DeviceAlarm, match="stall"):
            pump.status()
        assert [pump.status().alarm for _ in range(3)] == ["stall", "watchdog", "reset"]


def test_clear_infused_volume_and_dispensed():
    script = open_script() + [(bq("CLDINF"), br("00S")), (bq("DIS"), br("00SI0.000W0.250ML"))]
    with expected_exchange(basic_pump(), script) as pump:
        pump.clear_infused_volume()
        assert pump.dispensed_ul() == (0.0, 250.0)


def test_malformed_dispensed_reply_is_a_framing_error():
    with expected_exchange(basic_pump(), open_script() + [(bq("DIS"), br("00SI1.0XML"))]) as pump:
        with pytest.raises(FramingError, match="DIS"):
            pump.dispensed_ul()


@pytest.mark.requirements("SR-DRV-004")
@pytest.mark.parametrize("garbage", [b"00S\x03", b"\x0200S", b"\x02\xff\xfe\x03", b"\x02ZZ\x03"])
def test_basic_mode_garbage_reply_is_rejected(garbage):
    script = open_script() + [(bq("RUN"), garbage)]
    expected = DeviceTimeout if garbage == b"\x0200S" else FramingError  # \x0200S: no ETX ever comes
    with expected_exchange(basic_pump(), script) as pump, pytest.raises(expected):
        pump.start()


@pytest.mark.requirements("SR-DRV-002")
def test_silent_pump_times_out():
    with expected_exchange(basic_pump(), open_script() + [(bq("RUN"), b"")]) as pump, pytest.raises(DeviceTimeout):
        pump.start()


def test_script_catches_an_unexpected_write():
    transport = ScriptedTransport(open_script() + [(bq("RUN"), br("00I"))])
    pump = NE1000Pump(transport, max_rate_ul_per_h=100.0)
    pump.open()
    with pytest.raises(ScriptMismatch, match="RUN"):
        pump.stop()
    with pytest.raises(ScriptMismatch):
        transport.verify_complete()


def test_no_io_in_constructor():
    transport = ScriptedTransport([])
    NE1000Pump(transport, safe_mode=True, max_rate_ul_per_h=100.0)
    assert transport.writes == [] and not transport.is_open


# --- safe mode ------------------------------------------------------------------------------------
def safe_pump(**options):
    return functools.partial(NE1000Pump, safe_mode=True, heartbeat=False, max_rate_ul_per_h=5000.0, **options)


def test_safe_mode_rate_command_and_literal_reply_bytes():
    script = open_script(safe=True) + [
        (safe_request("RAT1500UH"), bytes.fromhex("02 07 30 30 53 AA A6 03")),  # reply 00S, protocols.md 1.5
        (safe_request("RUN"), bytes.fromhex("02 07 30 30 49 19 DD 03")),        # reply 00I
    ]
    with expected_exchange(safe_pump(), script) as pump:
        pump.set_rate_ul_per_h(1500.0)
        pump.start()
        assert pump.prompt() == "I"


@pytest.mark.requirements("SR-DRV-003")
def test_safe_mode_open_arms_the_watchdog_with_the_configured_time():
    with expected_exchange(safe_pump(safe_mode_timeout_s=30), open_script(safe=True, saf_s=30)) as pump:
        assert pump.firmware is not None


@pytest.mark.requirements("SR-DRV-003")
def test_a_watchdog_alarm_left_by_a_previous_host_is_acknowledged_at_open_and_kept_as_a_finding():
    script = [(safe_request("SAF10"), safe_packet("00A?T"))] + open_script(safe=True)
    with expected_exchange(safe_pump(), script) as pump:
        assert pump.firmware is not None and not pump.reset_seen_at_open
        assert len(pump.open_findings) == 1
        assert "watchdog alarm (A?T) pending from before this open" in pump.open_findings[0]


class AutoAlarmRacesOpen:
    """A pump whose watchdog auto-alarm packet reaches the host just after open drained the line: it is the first
    frame read after the first SAF, and that SAF's own reply (the alarm, now acknowledged) arrives a moment later,
    seen only by a read that waits. Every later request gets its scripted reply at once."""

    def __init__(self, script):
        self._script = list(script)
        self._rx = b""
        self._late = b""
        self.is_open = False
        self.requests: list[bytes] = []

    def open(self):
        self.is_open = True

    def close(self):
        self.is_open = False

    def write(self, data):
        self.requests.append(data)
        expected, reply = self._script.pop(0)
        assert data == expected, (data, expected)
        if len(self.requests) == 1:
            self._rx += safe_packet("00A?T")
            self._late += reply
        else:  # what was on its way arrives before the reply to a later request
            self._rx, self._late = self._rx + self._late + reply, b""

    def _wait(self, ready) -> None:
        if not ready():
            self._rx, self._late = self._rx + self._late, b""
        if not ready():
            raise DeviceTimeout("nothing more arrives")

    def read_exact(self, size_bytes, timeout_s=None):
        self._wait(lambda: len(self._rx) >= size_bytes)
        data, self._rx = self._rx[:size_bytes], self._rx[size_bytes:]
        return data

    def read_until(self, terminator, timeout_s=None, max_size_bytes=4096):
        self._wait(lambda: terminator in self._rx)
        end = self._rx.index(terminator) + len(terminator)
        data, self._rx = self._rx[:end], self._rx[end:]
        return data

    def read_available(self):
        data, self._rx = self._rx, b""
        return data


@pytest.mark.requirements("SR-DRV-003")
def test_an_auto_alarm_arriving_just_after_open_is_not_taken_for_the_reply_to_the_next_command():
    script = [(safe_request("SAF10"), safe_packet("00A?T"))] + open_script(safe=True)
    transport = AutoAlarmRacesOpen(script)
    pump = safe_pump()(transport)
    pump.open()
    assert pump.firmware is not None and pump.firmware.version == "3.928"
    assert len(pump.open_findings) == 1
    assert transport.requests.count(safe_request("SAF10")) == 2 and transport._script == []


def test_a_power_up_reset_then_a_leftover_watchdog_are_both_acknowledged_at_open():
    script = [(safe_request("SAF10"), br("00A?R")), (safe_request("SAF10"), safe_packet("00A?T"))]
    script += open_script(safe=True)
    with expected_exchange(safe_pump(), script) as pump:
        assert pump.reset_seen_at_open and len(pump.open_findings) == 1


@pytest.mark.requirements("SR-DRV-005")
def test_a_stall_pending_at_open_still_fails_open():
    with pytest.raises(DeviceAlarm, match="stall"):
        with expected_exchange(safe_pump(), [(safe_request("SAF10"), safe_packet("00A?S"))]):
            pass


def test_safe_mode_open_accepts_a_reset_alarm_in_basic_framing_from_a_basic_pump():
    script = [(safe_request("SAF10"), br("00A?R"))] + open_script(safe=True)
    with expected_exchange(safe_pump(), script) as pump:
        assert pump.reset_seen_at_open


@pytest.mark.requirements("SR-DRV-004")
@pytest.mark.parametrize("corrupt", [
    lambda p: p[:-3] + bytes([p[-3] ^ 0x01]) + p[-2:],      # CRC
    lambda p: p[:1] + bytes([p[1] + 1]) + p[2:] + b"\x03",    # length
    lambda p: p[:-1] + b"\x04",                              # terminator
    lambda p: p[:2] + b"01" + p[4:],                         # data changed, CRC not
])
def test_safe_mode_corrupted_reply_is_a_framing_error(corrupt):
    script = open_script(safe=True) + [(safe_request("RUN"), corrupt(safe_packet("00I")))]
    with expected_exchange(safe_pump(), script) as pump, pytest.raises(FramingError):
        pump.start()


def test_safe_mode_com_error_is_retried_then_a_framing_error():
    script = open_script(safe=True) + [
        (safe_request("RUN"), safe_packet("00S?COM")), (safe_request("RUN"), safe_packet("00I")),
        (safe_request("STP"), safe_packet("00S?COM")), (safe_request("STP"), safe_packet("00S?COM")),
    ]
    with expected_exchange(safe_pump(), script) as pump:
        pump.start()
        with pytest.raises(FramingError, match="COM"):
            pump.stop()


@pytest.mark.requirements("SR-DRV-005")
def test_safe_mode_auto_alarm_packet_is_reported_by_status():
    script = open_script(safe=True) + [
        (safe_request("RUN"), safe_packet("00I")),
        (None, safe_packet("00A?S")),  # spontaneous stall packet
        (safe_request("DIS"), safe_packet("00A?S")),
        (safe_request("DIS"), safe_packet("00SI0.050W0.000ML")),
    ]
    with expected_exchange(safe_pump(), script) as pump:
        pump.start()
        status = pump.status()
    assert status.alarm == "stall" and status.running is False and status.infused_ul == 50.0


@pytest.mark.requirements("SR-DRV-005")
def test_two_different_alarms_are_both_reported_one_per_status():
    script = open_script() + [
        (bq("DIS"), br("00A?S")), (bq("DIS"), br("00A?T")), (bq("DIS"), br("00SI0.000W0.000ML")),
        (bq("DIS"), br("00SI0.000W0.000ML")),
        (bq("DIS"), br("00SI0.000W0.000ML")),
    ]
    with expected_exchange(basic_pump(), script) as pump:
        assert [pump.status().alarm for _ in range(3)] == ["stall", "watchdog", None]


@pytest.mark.requirements("SR-DRV-002")
@pytest.mark.parametrize("safe_mode", [False, True], ids=["basic", "safe"])
def test_a_reply_that_keeps_trickling_cannot_hold_an_exchange_past_its_timeout(safe_mode):
    import time

    from chatty import ChattyTransport
    from drivers.ne1000_link import NE1000Link

    # STX and a length of 255, then bytes one by one and never the ETX: every read of the reply shares one deadline
    transport = ChattyTransport([], b"\x02\xff", interval_s=0.01)
    link = NE1000Link(transport, address=0, reply_timeout_s=0.2, com_retries=1)
    link.safe_mode = safe_mode
    transport.open()
    started_s = time.monotonic()
    with pytest.raises(DeviceTimeout):
        link.exchange("")
    assert time.monotonic() - started_s < 5 * 0.2  # a behaviour bound, not a benchmark
