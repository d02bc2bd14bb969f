"""parse_status_report reads the usual report with one regex and every other line field by field
(drivers.grbl_protocol._parse_any_report): for any line, both give the same report, or the same error type and
message."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers import grbl_protocol as gp
from drivers.errors import FramingError, NonFiniteValue
from firmware_sim.clock import VirtualClock
from hil.emulators.grbl import EmulatedGrbl

NUMBER = st.one_of(
    st.from_regex(r"\A-?\d{1,4}\.\d{3}\Z"),
    st.from_regex(r"\A[+-]?(\d{0,22}\.?\d{0,22})\Z"),
    st.sampled_from(["nan", "inf", "1e5", "", ".", "-", "9" * 400, "1.2.3", "0x1"]),
)
STATE = st.one_of(st.sampled_from(["Idle", "Run", "Hold", "Jog", "Alarm", "Door", "Check", "Home", "Sleep"]),
                  st.sampled_from(["idle", "Running", "", "Hold:", "Door:12345"]))
SUBSTATE = st.sampled_from(["", "", ":0", ":1", ":", ":007", ":1234", ":x"])
POSITION_NAME = st.sampled_from(["MPos", "WPos", "Pos", "mpos"])
EXTRA_FIELD = st.sampled_from(["Bf:15,127", "Bf:", "WCO:0.000,0.000,0.000", "Ov:100,100,100", "Pn:XYZ", "A:S",
                               "Ln:9", "FS:1,0", "F:2.5", "MPos:1,2,3"])


@st.composite
def report_lines(draw: st.DrawFn) -> str:
    state = draw(STATE) + draw(SUBSTATE)
    values = draw(st.lists(NUMBER, min_size=draw(st.sampled_from([3, 3, 3, 0, 2, 4])), max_size=4))
    fields = [state, f"{draw(POSITION_NAME)}:{','.join(values)}"]
    if draw(st.booleans()):
        fields.append(draw(EXTRA_FIELD))
    feed_name = draw(st.sampled_from(["FS", "F", "fs", ""]))
    if feed_name:
        feed = draw(NUMBER)
        fields.append(f"{feed_name}:{feed}" + draw(st.sampled_from(["", ",0", ",1200", ",", ",a,b"])))
    if draw(st.integers(0, 2)) == 0:
        fields += draw(st.lists(EXTRA_FIELD, max_size=2))
    if draw(st.integers(0, 3)) == 0:
        draw(st.randoms()).shuffle(fields)
    text = "|".join(fields)
    return draw(st.sampled_from([f"<{text}>", f"<{text}>", f"<{text}>", f"<{text}", f"{text}>", f"<{text}>\r"]))


def outcome(parse, line: str) -> tuple[str, object]:  # noqa: ANN001
    try:
        return "report", parse(line)
    except (FramingError, NonFiniteValue) as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.requirements("SR-DRV-009")
@settings(max_examples=600, deadline=None)
@given(st.from_regex(gp._USUAL_REPORT, fullmatch=True))
def test_every_line_the_one_regex_path_takes_reads_as_the_field_loop_reads_it(line):
    assert outcome(gp.parse_status_report, line) == outcome(gp._parse_any_report, line)


@pytest.mark.requirements("SR-DRV-009")
@settings(max_examples=400, deadline=None)
@given(report_lines())
def test_any_report_like_line_reads_as_the_field_loop_reads_it(line):
    assert outcome(gp.parse_status_report, line) == outcome(gp._parse_any_report, line)


@pytest.mark.parametrize("line", [
    "<Run|MPos:4.651,0.000,0.000|FS:0,0>",
    "<Hold:0|WPos:-1.500,2.000,0.000|Bf:15,127|FS:12,0>",
    "<Idle|MPos:0.000,0.000,0.000|F:0>",
])
def test_usual_reports_take_the_one_regex_path_with_the_same_result(line):
    assert gp._USUAL_REPORT.fullmatch(line) is not None
    assert gp.parse_status_report(line) == gp._parse_any_report(line)


def test_the_emulated_controller_reports_take_the_one_regex_path():
    clock = VirtualClock()
    grbl = EmulatedGrbl(clock)
    grbl.transact(b"\x18")
    grbl.transact(b"G91G1X0.5F30\n")
    reports = [grbl.transact(b"?").decode().split("\r\n")[0] for _ in range(2)]
    clock.sleep_until_s(clock.now_s() + 0.5)
    reports.append(grbl.transact(b"?").decode().split("\r\n")[0])
    reports += [grbl.transact(b"!?").decode().split("\r\n")[0]]
    assert {r.split("|")[0] for r in reports} >= {"<Run", "<Hold:0"}
    for report in reports:
        assert gp._USUAL_REPORT.fullmatch(report) is not None, report
