"""The G-code handler reads each line once through parse_line (remembered) and applies it with line_state: the same
parser state, axes, motion and first error as the word-by-word loop they replaced, which this file keeps as the
reference, for any line and parser state (what follows, the motion queued, did not change)."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_sim.units import MM_PER_INCH
from hil.emulators.grbl_gcode import _WORD, GcodeError, line_state, parse_line


def reference_state(modal_before, line):
    """The loop parse_line replaced: words applied to a copy of the parser state as they are read. Returns (parser
    state, axes in mm, motion, dwell) or raises GcodeError."""
    words, position = [], 0
    while position < len(line):  # the whole line is read into words first
        match = _WORD.match(line, position)
        if match is None:
            raise GcodeError(1 if not line[position].isalpha() else 2)
        if not math.isfinite(float(match.group(2))):
            raise GcodeError(2)
        words.append((match.group(1), float(match.group(2))))
        position = match.end()
    modal, motion, axes, dwell_s, feed = dict(modal_before), None, {}, None, None
    for letter, value in words:
        if letter == "G":
            code = {0: "G0", 1: "G1", 4: "G4", 20: "G20", 21: "G21", 90: "G90", 91: "G91", 94: "G94"}.get(int(value))
            if code is None or value != int(value):
                raise GcodeError(20)
            if code in ("G0", "G1"):
                modal["motion"] = motion = code
            elif code in ("G20", "G21"):
                modal["units"] = code
            elif code in ("G90", "G91"):
                modal["distance"] = code
            elif code == "G4":
                motion = "G4"
        elif letter == "M" and value in (2, 30):
            pass
        elif letter == "F":
            if value <= 0:
                raise GcodeError(22)
            feed = value
        elif letter in "XYZ":
            axes[letter] = value
        elif letter == "P":
            dwell_s = value
        else:
            raise GcodeError(20)
    mm_per_unit = MM_PER_INCH if modal["units"] == "G20" else 1.0
    if feed is not None:
        modal["feed_mm_per_min"] = feed * mm_per_unit
    return modal, {letter: value * mm_per_unit for letter, value in axes.items()}, motion, dwell_s


def remembered_state(modal_before, line):
    parsed = parse_line(line)
    modal, axes = line_state(modal_before, parsed)
    return modal, axes, parsed.motion, parsed.dwell_s


NUMBERS = st.sampled_from(["0", "1", "2", "4", "20", "21", "30", "90", "91", "94", "3", "0.5", "-1", "1.", ".25",
                           "+7", "-0", "1" * 400, "17.000", "0.0010000", "12.5"])
WORD = st.tuples(st.sampled_from("GMFXYZPQSA"), NUMBERS).map("".join)
JUNK = st.sampled_from(["", "", "", "#", "G", "X-", "..", "1", "%"])
LINES = st.tuples(st.lists(WORD, max_size=6), JUNK).map(lambda parts: "".join(parts[0]) + parts[1])


def outcome(handler, modal_before, line):
    try:
        return handler(modal_before, line)
    except GcodeError as exc:
        return exc.code


@settings(max_examples=600, deadline=None, derandomize=True)
@given(line=LINES, motion=st.sampled_from(["G0", "G1"]), distance=st.sampled_from(["G90", "G91"]),
       units=st.sampled_from(["G20", "G21"]), feed=st.sampled_from([0.0, 0.5, 100.0]))
def test_the_remembered_parse_gives_the_word_loops_outcome(line, motion, distance, units, feed):
    modal_before = {"motion": motion, "distance": distance, "units": units, "feed_mm_per_min": feed}
    for _ in range(2):  # the second time from parse_line's memory
        assert outcome(remembered_state, modal_before, line) == outcome(reference_state, modal_before, line)
    assert modal_before == {"motion": motion, "distance": distance, "units": units, "feed_mm_per_min": feed}


def test_a_bad_line_is_refused_every_time_it_comes():
    for _ in range(3):
        try:
            parse_line("G1X1Q2")
        except GcodeError as exc:
            assert exc.code == 20
        else:
            raise AssertionError("G1X1Q2 was accepted")
