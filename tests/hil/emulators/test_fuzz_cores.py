"""Line noise into every emulator core: random and mutated frames (flipped bytes, truncation, overlong numbers,
non-ASCII, bad CRC and length in NE-1000 safe mode, bursts). No exception escapes, and the device still answers
a valid command correctly afterwards, as a real device that answers `?`/`error:N`/`ES` to what it cannot parse."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import bursts

from firmware_sim.clock import VirtualClock
from hil.emulators import BalanceEmulatorConfig, GrblConfig, NE1000Config
from hil.emulators.grbl_core import GrblCore
from hil.emulators.mtsics_core import MtSicsCore
from hil.emulators.ne1000_core import NE1000Core
from hil.emulators.ne1000_framing import encode_basic
from hil.fuzz.corpus import BALANCE_COMMANDS as BALANCE_FRAMES
from hil.fuzz.corpus import GRBL_COMMANDS as GRBL_FRAMES
from hil.fuzz.corpus import NE1000_COMMANDS as NE1000_FRAMES
from hil.fuzz.emulator_checks import balance_answers, grbl_answers, grbl_stops, ne1000_answers_version, ne1000_stops

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GAPS_S = st.lists(st.sampled_from([0.0, 0.01, 0.6, 30.0, 3600.0]), min_size=8, max_size=8)
"""Clock steps between chunks: within a packet, past the NE-1000 inter-byte timeout, past its watchdog."""


@FUZZ
@given(safe_mode_timeout_s=st.sampled_from([0, 10]), chunks=bursts(NE1000_FRAMES), gaps_s=GAPS_S)
def test_ne1000_core_survives_line_noise(safe_mode_timeout_s: int, chunks: list[bytes], gaps_s: list[float]) -> None:
    core = NE1000Core(NE1000Config(safe_mode_timeout_s=safe_mode_timeout_s))
    t_s = 0.0
    for chunk, gap_s in zip(chunks, gaps_s):
        t_s += gap_s
        core.receive(chunk, t_s)
    ne1000_stops(core, ne1000_answers_version(core, t_s))


def test_ne1000_core_answers_overlong_arguments_and_unprogrammed_phases() -> None:
    """Found by the reliability probe: int() of 5000 digits and PUR on a phase never programmed killed the core."""
    core = NE1000Core(NE1000Config())
    core.receive(b"\r", 0.0)  # acknowledges the power-up alarm
    for command in (b"RUN", b"PHN", b"SAF", b"*ADR1B", b"AL"):
        assert core.receive(command + b"9" * 5000 + b"\r", 0.0) == encode_basic(b"00S?OOR"), command
    assert core.receive(b"*ADR" + b"9" * 5000 + b"\r", 0.0) == encode_basic(b"00S?")
    assert core.receive(b"PHN3\r", 0.0) == encode_basic(b"00S")
    assert core.receive(b"PUR\r", 0.0) == encode_basic(b"00X")
    ne1000_answers_version(core, 0.0)


def test_a_partial_safe_mode_command_completed_by_the_checks_own_cr_is_followed_in_safe_mode() -> None:
    """Found by the fuzz test: the pump strips control characters, so `SAF10<FF>` plus the CR that the check sends
    first switches it to Safe mode; the check went on in Basic mode and took the pump's silence for a fault."""
    core = NE1000Core(NE1000Config())
    core.receive(b"VER\r", 0.0)
    core.receive(b"SAF10\x0c", 0.0)
    assert not core.safe_mode
    ne1000_answers_version(core, 0.0)
    assert core.safe_mode


def test_ne1000_lone_stx_is_dropped_after_the_inter_byte_timeout() -> None:
    """Found by the fuzz test: a stray STX (no length byte yet) never timed out, so the next command's bytes
    were taken for a safe packet's length and body and the pump fell silent."""
    core = NE1000Core(NE1000Config())
    core.receive(b"\r", 0.0)
    assert core.receive(b"\x02", 0.0) == b""
    assert core.receive(b"VER\r", 0.6) == encode_basic(b"00SNE1000V3.928")


@FUZZ
@given(chunks=bursts(GRBL_FRAMES), gaps_s=GAPS_S)
def test_grbl_core_survives_line_noise(chunks: list[bytes], gaps_s: list[float]) -> None:
    core = GrblCore(GrblConfig())
    t_s = 0.0
    for chunk, gap_s in zip(chunks, gaps_s):
        t_s += gap_s
        core.receive(chunk, t_s)
        core.poll(t_s)
    grbl_stops(core, grbl_answers(core, t_s))


def test_grbl_core_refuses_numbers_a_float_cannot_hold() -> None:
    core = GrblCore(GrblConfig(line_buffer_bytes=1000, rx_buffer_bytes=2000))
    core.receive(b"", 0.0)
    assert core.receive(b"G1X" + b"9" * 400 + b"F100\n", 0.0) == b"error:2\r\n"
    assert core.receive(b"$110=" + b"9" * 400 + b"\n", 0.0) == b"error:2\r\n"
    assert core.receive(b"$" + b"9" * 1500 + b"=1\n", 0.0) == b"error:11\r\n"  # longer than the line buffer
    assert core.receive(b"$" + b"9" * 500 + b"=1\n", 0.0) == b"error:3\r\n"  # no such setting
    grbl_answers(core, 0.0)


@FUZZ
@given(chunks=bursts(BALANCE_FRAMES), gaps_s=GAPS_S)
def test_balance_core_survives_line_noise(chunks: list[bytes], gaps_s: list[float]) -> None:
    clock = VirtualClock()
    core = MtSicsCore(BalanceEmulatorConfig(), clock, None)
    t_s = 0.0
    for chunk, gap_s in zip(chunks, gaps_s):
        t_s = max(t_s + gap_s, clock.now_s())  # S, Z and T wait for stability on the clock
        core.receive(chunk, t_s)
        core.poll(t_s)
    balance_answers(core, clock, t_s)
