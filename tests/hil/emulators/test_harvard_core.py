"""The Harvard pump-chain emulator core, bytes in and out (protocols.md 2.1/2.2): reply framing with the
unterminated prompt, addressing per dialect, abbreviations, motion in clock time, faults, and line noise."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import bursts

from hil.emulators import EmulatorError, HarvardConfig
from hil.emulators.harvard_core import HarvardCore
from hil.emulators.harvard_state import HarvardState

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FRAMES = (
    b"ver\r", b"irate 10 ul/hr\r", b"irat 1.5 m/m\r", b"irun\r", b"wrun\r", b"rrun\r", b"run\r", b"stop\r",
    b"stp\r", b"ivolume\r", b"civolume\r", b"tvolume 5 ul\r", b"ctvolume\r", b"diameter 4.7\r", b"status\r",
    b"irate lim\r", b"irate max\r", b"12:irun\r", b"0irate\r\n", b"nvram none\r", b"\r\n", b"svolume 10 ml\r",
    b"wrate 1 ul/min\r", b"irate 1e999 ul/hr\r", b"irate " + b"9" * 400 + b" ul/hr\r",
)


def at(config: HarvardConfig | None = None) -> HarvardCore:
    return HarvardCore(config or HarvardConfig())


def test_replies_are_lf_led_lines_and_an_unterminated_prompt():
    core = at()
    assert core.receive(b"ver\r", 0.0) == b"\n00 11 ELITE I/W Single 3.0.4\r\n00:"
    assert core.receive(b"irate 10 ul/hr\r\n", 0.0) == b"\n00:"  # CR LF ends one line, not two
    assert core.receive(b"irate\r", 0.0) == b"\n00 10.0000 ul/hr\r\n00:"
    assert core.receive(b"irun\r", 0.0) == b"\n00>"
    assert core.receive(b"\r", 0.0) == b"\n00>"  # an empty line gets the prompt (address discovery)
    assert core.receive(b"bogus\r", 0.0) == b"\n00 Unknown command\r\n00>"
    assert at(HarvardConfig(text_line_address=False)).receive(b"ver\r", 0.0) == b"\n11 ELITE I/W Single 3.0.4\r\n00:"


def test_commands_may_be_abbreviated_to_4_letters_in_any_case_and_short_units_are_accepted():
    core = at()
    assert core.receive(b"IRAT 1.5 u/m\r", 0.0) == b"\n00:"
    assert core.receive(b"irate\r", 0.0) == b"\n00 1.5000 ul/min\r\n00:"
    assert core.receive(b"iva\r", 0.0) == b"\n00 Unknown command\r\n00:"  # under 4 letters
    assert core.receive(b"irate 1.5\r", 0.0) == b"\n00 Argument error\r\n00:"
    assert core.receive(b"irate 1.5 gal/s\r", 0.0) == b"\n00 Argument error\r\n00:"
    assert core.receive(b"irate 99999999 ml/min\r", 0.0) == b"\n00 Out of range\r\n00:"
    assert core.receive(b"irate 1e999 ml/min\r", 0.0) == b"\n00 Argument error\r\n00:"
    assert core.receive(b"irate " + b"9" * 240 + b" ml/min\r", 0.0) == b"\n00 Out of range\r\n00:"
    assert core.receive(b"irate " + b"9" * 400 + b" ml/min\r", 0.0) == b"\n00 Unknown command\r\n00:"  # overlong


def test_phd_ultra_addressing_with_or_without_colon_and_silence_for_other_pumps():
    core = at(HarvardConfig(address=12))
    assert core.receive(b"12:ver\r", 0.0) == b"\n12 11 ELITE I/W Single 3.0.4\r\n12:"
    assert core.receive(b"12ver\r", 0.0) == b"\n12 11 ELITE I/W Single 3.0.4\r\n12:"
    assert core.receive(b"3:ver\r", 0.0) == b""
    assert core.receive(b"ver\r", 0.0) == b""  # unaddressed: for the pump at address 0


def test_legato_addressing_has_no_separator_and_answers_unaddressed_lines():
    core = at(HarvardConfig(address=12, dialect="legato"))
    assert core.receive(b"12ver\r", 0.0) == b"\n12 11 ELITE I/W Single 3.0.4\r\n12:"
    assert core.receive(b"ver\r", 0.0) == b"\n12 11 ELITE I/W Single 3.0.4\r\n12:"
    assert core.receive(b"12:ver\r", 0.0) == b"\n12 Unknown command\r\n12:"


def test_infusion_counts_volume_and_stops_at_the_target_with_t_star():
    core = at()
    core.receive(b"irate 60 ul/hr\rtvolume 30 ul\r", 0.0)
    assert core.receive(b"irun\r", 0.0) == b"\n00>"
    assert core.receive(b"ivolume\r", 600.0) == b"\n00 0.0100 ml\r\n00>"
    assert core.receive(b"ivolume\r", 7200.0) == b"\n00 0.0300 ml\r\n00T*"
    assert core.syringe.outflow_ul == pytest.approx(30.0)
    assert core.receive(b"status\r", 7200.0) == b"\n00 16666667 1800 30000000000 i...I\r\n00T*"
    assert core.receive(b"civolume\rctvolume\rirun\r", 7200.0).endswith(b"\n00>")


def test_the_state_is_an_enum_and_the_prompt_on_the_wire_is_rendered_from_it():
    core = at()
    seen = [core.state]
    core.receive(b"irate 60 ul/hr\rwrate 60 ul/hr\rtvolume 1 ul\r", 0.0)
    for command, t_s in ((b"irun\r", 0.0), (b"ivolume\r", 7200.0), (b"stop\r", 7200.0), (b"wrun\r", 7200.0)):
        out = core.receive(command, t_s)
        assert isinstance(core.state, HarvardState) and out.endswith(b"\n00" + core.state.prompt.encode())
        seen.append(core.state)
    assert seen == [HarvardState.IDLE, HarvardState.INFUSING, HarvardState.TARGET_REACHED, HarvardState.IDLE,
                    HarvardState.WITHDRAWING]
    assert [state.prompt for state in HarvardState] == [":", ">", "<", "*", "T*"]  # protocols.md 2.1


@pytest.mark.requirements("SR-DRV-013")
def test_a_target_raised_while_infusing_extends_the_run_and_one_reached_needs_a_new_irun():
    """What the driver's dead-host horizon relies on: the target is compared with the counter as the pump infuses."""
    core = at()
    core.receive(b"irate 60 ul/hr\rtvolume 3 ul\rirun\r", 0.0)
    assert core.receive(b"tvolume 6 ul\r", 120.0) == b"\n00>"  # 2 uL infused: raised before it was reached
    assert core.receive(b"ivolume\r", 300.0) == b"\n00 0.0050 ml\r\n00>"
    assert core.receive(b"ivolume\r", 3600.0) == b"\n00 0.0060 ml\r\n00T*"  # stopped by itself at 6 uL
    assert core.receive(b"tvolume 10 ul\r", 3600.0) == b"\n00T*"  # a new target does not restart it
    assert core.receive(b"ivolume\r", 7200.0) == b"\n00 0.0060 ml\r\n00T*"
    assert core.receive(b"irun\r", 7200.0) == b"\n00>"
    assert core.receive(b"tvolume 7 ul\r", 7320.0) == b"\n00T*"  # below the counter (8 uL): stops at once
    assert core.syringe.outflow_ul == pytest.approx(8.0)


def test_legato_status_has_ms_time_and_six_flags():
    core = at(HarvardConfig(dialect="legato", syringe_volume_ul=1000.0))
    core.receive(b"irate 60 ul/hr\rirun\r", 0.0)
    assert core.receive(b"status\r", 2.0) == b"\n00 16666667 2000 33333333 I...I.\r\n00>"


@pytest.mark.parametrize("fault", ["stall", "occlusion"])
def test_stall_and_occlusion_show_the_stall_prompt_and_stop_clears_it(fault):
    core = at()
    core.receive(b"irate 3600 ul/hr\rirun\r", 0.0)
    core.apply_fault(fault, 10.0, {"compliance_ul": 2.0} if fault == "occlusion" else {})
    prompt_at_11_s = core.receive(b"\r", 11.5)
    assert core.receive(b"\r", 20.0) == b"\n00*"
    assert prompt_at_11_s == (b"\n00*" if fault == "stall" else b"\n00>")  # the line's give is 2 s at 1 uL/s
    assert core.receive(b"stop\r", 20.0) == b"\n00:"
    assert core.infused_ul == pytest.approx(10.0 if fault == "stall" else 12.0)


def test_an_empty_syringe_stalls_and_power_reset_comes_back_idle_without_announcement():
    core = at(HarvardConfig(syringe_volume_ul=10.0))
    core.receive(b"irate 3600 ul/hr\rirun\r", 0.0)
    assert core.receive(b"\r", 20.0) == b"\n00*"
    core.receive(b"stop\r", 20.0)
    core.receive(b"civolume\rwrun\r", 20.0)
    assert core.apply_fault("power_reset", 21.0, {}) == b""
    assert core.receive(b"\r", 22.0) == b"\n00:"


def test_bad_config_and_fault_parameters_are_refused_by_name():
    with pytest.raises(EmulatorError, match="dialect"):
        HarvardConfig(dialect="pump11")
    with pytest.raises(EmulatorError, match="baud"):
        HarvardConfig(baud=4800)
    with pytest.raises(EmulatorError, match="compliance_ul"):
        at().apply_fault("occlusion", 0.0, {"compliance_ul": -1})


@FUZZ
@given(dialect=st.sampled_from(["phd_ultra", "legato"]), chunks=bursts(FRAMES),
       gaps_s=st.lists(st.sampled_from([0.0, 0.5, 60.0, 86400.0]), min_size=8, max_size=8))
def test_the_command_parser_survives_line_noise(dialect, chunks, gaps_s):
    """No exception escapes, and a valid command is still answered correctly afterwards."""
    core = at(HarvardConfig(dialect=dialect, syringe_volume_ul=1000.0))
    t_s = 0.0
    for chunk, gap_s in zip(chunks, gaps_s):
        t_s += gap_s
        out = core.receive(chunk, t_s)
        assert out.isascii()
    out = core.receive(b"\rver\r", t_s)
    assert out.endswith(f"\n00 11 ELITE I/W Single 3.0.4\r\n00{core.state.prompt}".encode()), out
