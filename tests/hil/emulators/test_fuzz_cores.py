"""Line noise into every emulator core: random and mutated frames (flipped bytes, truncation, overlong numbers,
non-ASCII, bad CRC and length in NE-1000 safe mode, bursts). No exception escapes, and the device still answers
a valid command correctly afterwards, as a real device that answers `?`/`error:N`/`ES` to what it cannot parse."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import bursts

from firmware_sim.clock import VirtualClock
from hil.emulators import BalanceConfig, GrblConfig, NE1000Config
from hil.emulators.grbl_core import GrblCore
from hil.emulators.mtsics_core import MtSicsCore
from hil.emulators.ne1000_core import NE1000Core
from hil.emulators.ne1000_framing import encode_basic, encode_safe

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GAPS_S = st.lists(st.sampled_from([0.0, 0.01, 0.6, 30.0, 3600.0]), min_size=8, max_size=8)
"""Clock steps between chunks: within a packet, past the NE-1000 inter-byte timeout, past its watchdog."""

NE1000_FRAMES = (
    b"VER\r", b"RAT 10 UH\r", b"RUN\r", b"RUN 3\r", b"PUR\r", b"PHN3\r", b"STP\r", b"DIS\r", b"SAF10\r", b"SAF0\r",
    b"*ADR5\r", b"*ADR 1 B 9600\r", b"0 rat 1.5 mm\r", b"DIA 4.7\r", b"VOL 5\r", b"DIR REV\r", b"CLD INF\r",
    b"FUN RAT\r", b"AL 1\r", b"TRG FT\r", b"*RESET\r", b"0 rat 100 * 1 rat 250 *\r", b"\r",
    encode_safe(b"SAF0"), encode_safe(b"0"), encode_safe(b"0RAT1.5MM"), encode_safe(b"RUN"), encode_safe(b"DIS"),
    encode_safe(b"PHN41"), encode_safe(b"SAF1"),
)
GRBL_FRAMES = (
    b"?", b"!", b"~", b"\x18", b"\x85", b"G21G91G1X1.5F0.1\n", b"G1X10F100\n", b"G0X5\n", b"G4P1\n", b"$$\n",
    b"$X\n", b"$I\n", b"$G\n", b"$110=500\n", b"$100=800\n", b"$J=G91X1F10\n", b"G20\n", b"M2\n", b"\n",
    b"(comment)G1X1;c\n", b"G91G1X-3F200\r",
)
BALANCE_FRAMES = (
    b"S\r\n", b"SI\r\n", b"SIR\r\n", b"Z\r\n", b"ZI\r\n", b"T\r\n", b"TI\r\n", b"TA\r\n", b"TAC\r\n", b"@\r\n",
    b"I2\r\n", b"I3\r\n", b"I4\r\n", b"TA 1.0 g\r\n", b"\r\n",
)


def ne1000_answers_version(core: NE1000Core, t_s: float) -> None:
    """VER, addressed and framed as the pump is now set up, gets the firmware version (after any pending alarm,
    which the first valid command acknowledges)."""
    t_s += 1.0  # past the inter-byte timeout: a partial safe packet is dropped
    if not core.safe_mode:
        core.receive(b"\r", t_s)  # ends a partial Basic line
    for _ in range(4):
        address = core.settings.address
        command = f"{address}VER".encode()
        out = core.receive(encode_safe(command) if core.safe_mode else command + b"\r", t_s)
        if b"A?" in out:
            continue
        data = f"{address:02d}{core.status_char()}{core.config.firmware_version}".encode()
        assert out.endswith(encode_safe(data) if core.safe_mode else encode_basic(data)), out
        return
    raise AssertionError("NE-1000 kept answering with alarms")


@FUZZ
@given(safe_mode_timeout_s=st.sampled_from([0, 10]), chunks=bursts(NE1000_FRAMES), gaps_s=GAPS_S)
def test_ne1000_core_survives_line_noise(safe_mode_timeout_s: int, chunks: list[bytes], gaps_s: list[float]) -> None:
    core = NE1000Core(NE1000Config(safe_mode_timeout_s=safe_mode_timeout_s))
    t_s = 0.0
    for chunk, gap_s in zip(chunks, gaps_s):
        t_s += gap_s
        core.receive(chunk, t_s)
    ne1000_answers_version(core, t_s)


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


def test_ne1000_lone_stx_is_dropped_after_the_inter_byte_timeout() -> None:
    """Found by the fuzz test: a stray STX (no length byte yet) never timed out, so the next command's bytes
    were taken for a safe packet's length and body and the pump fell silent."""
    core = NE1000Core(NE1000Config())
    core.receive(b"\r", 0.0)
    assert core.receive(b"\x02", 0.0) == b""
    assert core.receive(b"VER\r", 0.6) == encode_basic(b"00SNE1000V3.928")


def grbl_answers(core: GrblCore, t_s: float) -> None:
    """After a soft reset and unlock, $I reports the build and `?` an Idle status report."""
    t_s += 1.0
    core.receive(b"\n", t_s)  # ends a partial line
    core.receive(b"\x18", t_s)  # soft reset: receive buffer and planner cleared
    out = core.receive(b"$X\n$I\n", t_s).decode("ascii")
    assert f"[VER:{core.config.version}.{core.config.build_date}:]\r\n" in out and out.endswith("ok\r\n"), out
    report = core.receive(b"?", t_s).decode("ascii")
    assert re.fullmatch(r"<Idle\|MPos:-?\d+\.\d{3},-?\d+\.\d{3},-?\d+\.\d{3}(\|Bf:\d+,\d+)?\|FS:0,0>\r\n", report), report


@FUZZ
@given(chunks=bursts(GRBL_FRAMES), gaps_s=GAPS_S)
def test_grbl_core_survives_line_noise(chunks: list[bytes], gaps_s: list[float]) -> None:
    core = GrblCore(GrblConfig())
    t_s = 0.0
    for chunk, gap_s in zip(chunks, gaps_s):
        t_s += gap_s
        core.receive(chunk, t_s)
        core.poll(t_s)
    grbl_answers(core, t_s)


def test_grbl_core_refuses_numbers_a_float_cannot_hold() -> None:
    core = GrblCore(GrblConfig(line_buffer_bytes=1000, rx_buffer_bytes=2000))
    core.receive(b"", 0.0)
    assert core.receive(b"G1X" + b"9" * 400 + b"F100\n", 0.0) == b"error:2\r\n"
    assert core.receive(b"$110=" + b"9" * 400 + b"\n", 0.0) == b"error:2\r\n"
    assert core.receive(b"$" + b"9" * 1500 + b"=1\n", 0.0) == b"error:11\r\n"  # longer than the line buffer
    assert core.receive(b"$" + b"9" * 500 + b"=1\n", 0.0) == b"error:3\r\n"  # no such setting
    grbl_answers(core, 0.0)


def balance_answers(core: MtSicsCore, clock: VirtualClock, t_s: float) -> None:
    t_s = max(t_s, clock.now_s()) + 1.0
    core.receive(b"\r\n", t_s)  # ends a partial line
    assert core.receive(b"I4\r\n", t_s) == f'I4 A "{core.config.serial_number}"\r\n'.encode()


@FUZZ
@given(chunks=bursts(BALANCE_FRAMES), gaps_s=GAPS_S)
def test_balance_core_survives_line_noise(chunks: list[bytes], gaps_s: list[float]) -> None:
    clock = VirtualClock()
    core = MtSicsCore(BalanceConfig(), clock, None)
    t_s = 0.0
    for chunk, gap_s in zip(chunks, gaps_s):
        t_s = max(t_s + gap_s, clock.now_s())  # S, Z and T wait for stability on the clock
        core.receive(chunk, t_s)
        core.poll(t_s)
    balance_answers(core, clock, t_s)
