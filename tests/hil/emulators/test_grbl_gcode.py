"""The G-code handler reads each line once through parse_line (remembered): the same outcome as the word-by-word loop it
replaced, which this file keeps as the reference, for any line, parser state and planner contents."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_sim.units import MM_PER_INCH
from hil.emulators.grbl_config import GrblConfig
from hil.emulators.grbl_core import GrblCore
from hil.emulators.grbl_gcode import _WORD, GcodeError, execute_gcode, parse_line
from hil.emulators.grbl_motion import Block


def reference_execute(core, line, jog):
    """The handler as it was before parse_line: words applied to a copy of the parser state as they are read."""
    def words(text):
        out, position = [], 0
        while position < len(text):
            match = _WORD.match(text, position)
            if match is None:
                raise GcodeError(1 if not text[position].isalpha() else 2)
            value = float(match.group(2))
            if not math.isfinite(value):
                raise GcodeError(2)
            out.append((match.group(1), value))
            position = match.end()
        return out

    modal, motion = core.modal.copy(), None
    axes, dwell_s, feed = {}, None, None
    for letter, value in words(line):
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
    axes = {letter: value * mm_per_unit for letter, value in axes.items()}
    if feed is not None:
        modal["feed_mm_per_min"] = feed * mm_per_unit
    if jog and (not axes or "F" not in line):
        raise GcodeError(22 if axes else 1)
    if motion == "G4":
        if dwell_s is None or dwell_s < 0:
            raise GcodeError(28)
        core.motion.planner.append(Block(None, 0.0, dwell_left_s=dwell_s))
        core.modal.update({"distance": modal["distance"], "units": modal["units"],
                           "feed_mm_per_min": modal["feed_mm_per_min"]})
        return
    if axes:
        motion = "G1" if jog else modal["motion"]
        if motion == "G1" and modal["feed_mm_per_min"] <= 0:
            raise GcodeError(22)
        queued = [block.target_mm for block in core.motion.planner if block.target_mm is not None]
        start = queued[-1] if queued else core.motion.position_mm
        target = tuple((start[i] + axes[a] if modal["distance"] == "G91" else axes[a]) if a in axes else start[i]
                       for i, a in enumerate("XYZ"))
        if jog and abs(target[0]) > core.settings[130]:
            raise GcodeError(15)
        max_rate = core.settings[110]
        speed = max_rate if motion == "G0" else min(modal["feed_mm_per_min"], max_rate)
        if not speed > 0:
            raise GcodeError(22)
        core.motion.planner.append(Block(target, speed, jog=jog))
    if not jog:
        core.modal.update(modal)


NUMBERS = st.sampled_from(["0", "1", "2", "4", "20", "21", "30", "90", "91", "94", "3", "0.5", "-1", "1.", ".25",
                           "+7", "-0", "1" * 400, "17.000", "0.0010000", "12.5"])
WORD = st.tuples(st.sampled_from("GMFXYZPQSA"), NUMBERS).map("".join)
JUNK = st.sampled_from(["", "", "", "#", "G", "X-", "..", "1", "%"])
LINES = st.tuples(st.lists(WORD, max_size=6), JUNK).map(lambda parts: "".join(parts[0]) + parts[1])


def core_in_state(motion, distance, units, feed, planner_targets):
    core = GrblCore(GrblConfig(), 0.0)
    core.modal.update({"motion": motion, "distance": distance, "units": units, "feed_mm_per_min": feed})
    for target in planner_targets:
        core.motion.planner.append(Block(target, 10.0) if target is not None else Block(None, 0.0, dwell_left_s=1.0))
    return core


def outcome(core, line, jog, handler):
    try:
        handler(core, line, jog)
        error = None
    except GcodeError as exc:
        error = exc.code
    return error, dict(core.modal), [(b.target_mm, b.speed_mm_per_min, b.dwell_left_s, b.jog)
                                     for b in core.motion.planner]


@settings(max_examples=600, deadline=None, derandomize=True)
@given(line=LINES, jog=st.booleans(), motion=st.sampled_from(["G0", "G1"]), distance=st.sampled_from(["G90", "G91"]),
       units=st.sampled_from(["G20", "G21"]), feed=st.sampled_from([0.0, 0.5, 100.0]),
       planner=st.lists(st.one_of(st.none(), st.tuples(*[st.sampled_from([0.0, 1.5, -2.0])] * 3)), max_size=3))
def test_the_remembered_parse_gives_the_word_loops_outcome(line, jog, motion, distance, units, feed, planner):
    for _ in range(2):  # the second time from parse_line's memory
        state = (motion, distance, units, feed, planner)
        assert outcome(core_in_state(*state), line, jog, execute_gcode) == \
            outcome(core_in_state(*state), line, jog, reference_execute)


def test_a_bad_line_is_refused_every_time_it_comes():
    for _ in range(3):
        try:
            parse_line("G1X1Q2")
        except GcodeError as exc:
            assert exc.code == 20
        else:
            raise AssertionError("G1X1Q2 was accepted")
