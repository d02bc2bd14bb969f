"""After line noise, is the emulated device still a device? It answers a valid command correctly (as a real one
that answered `?`, `error:N` or `ES` to what it could not parse), and a stop leaves its motor stopped."""
from __future__ import annotations

import re

from firmware_sim.clock import VirtualClock
from hil.emulators.grbl_core import GrblCore
from hil.emulators.harvard_core import HarvardCore
from hil.emulators.mtsics_core import MtSicsCore
from hil.emulators.ne1000_core import NE1000Core
from hil.emulators.ne1000_framing import encode_basic, encode_safe
from hil.emulators.ne1000_state import PURGING, PUMPING
from hil.emulators.sartorius_core import SartoriusCore

PAST_INTER_BYTE_TIMEOUT_S = 1.0
"""Long enough for the NE-1000 to drop a partial safe packet."""
STOP_SETTLE_S = 60.0
"""How long a stopped motor is watched to stay stopped."""
_GRBL_IDLE_REPORT = re.compile(r"<Idle\|MPos:-?\d+\.\d{3},-?\d+\.\d{3},-?\d+\.\d{3}(\|Bf:\d+,\d+)?\|FS:0,0>\r\n")


class CheckFailed(Exception):
    """The device under fuzz broke one of the fuzzer's checks; the message says which and how."""


# --- NE-1000 ------------------------------------------------------------------------------------
def ne1000_send(core: NE1000Core, command: bytes, t_s: float) -> bytes:
    """`command` addressed and framed as the pump is now set up (in Basic mode a CR first ends a partial line)."""
    out = b""
    if not core.safe_mode:
        out = core.receive(b"\r", t_s)  # may itself complete a command that changes the address (*ADR) or mode (SAF)
    address = str(core.settings.address).encode()
    if core.safe_mode:
        return out + core.receive(encode_safe(address + command), t_s)
    return out + core.receive(address + command + b"\r", t_s)


def ne1000_answers_version(core: NE1000Core, t_s: float) -> float:
    """VER gets the firmware version (after any pending alarm, which the first valid command acknowledges).
    Returns the clock time used."""
    t_s += PAST_INTER_BYTE_TIMEOUT_S
    out = b""
    for _ in range(4):
        out = ne1000_send(core, b"VER", t_s)
        if b"A?" in out:
            continue
        data = f"{core.settings.address:02d}{core.status_char()}{core.config.firmware_version}".encode()
        if not out.endswith(encode_safe(data) if core.safe_mode else encode_basic(data)):
            raise CheckFailed(f"NE-1000 answered VER with {out!r}, not the firmware version")
        return t_s
    raise CheckFailed(f"NE-1000 kept answering VER with alarms: {out!r}")


def ne1000_moving(core: NE1000Core) -> bool:
    return core.state in (PUMPING, PURGING)


def ne1000_start(core: NE1000Core, t_s: float) -> None:
    """Acknowledge the power-up alarm, then infuse at 100 uL/h."""
    for command in (b"", b"RAT100UH", b"RUN"):
        ne1000_send(core, command, t_s)


def ne1000_stops(core: NE1000Core, t_s: float) -> float:
    """STP (until the prompt is S, acknowledging alarms) stops the motor, and it stays stopped."""
    t_s += PAST_INTER_BYTE_TIMEOUT_S
    for _ in range(4):
        ne1000_send(core, b"STP", t_s)
        if not ne1000_moving(core) and core.alarm is None:
            break
    infused_ul, withdrawn_ul = core.infused_ul, core.withdrawn_ul
    core.poll(t_s + STOP_SETTLE_S)
    if ne1000_moving(core) or (core.infused_ul, core.withdrawn_ul) != (infused_ul, withdrawn_ul):
        raise CheckFailed(f"NE-1000 still moving after STP: state {core.state!r}, "
                          f"infused {infused_ul:g} -> {core.infused_ul:g} uL in {STOP_SETTLE_S:g} s")
    return t_s + STOP_SETTLE_S


# --- GRBL ---------------------------------------------------------------------------------------
def grbl_answers(core: GrblCore, t_s: float) -> float:
    """After a soft reset and unlock, $I reports the build and `?` an Idle status report."""
    t_s += PAST_INTER_BYTE_TIMEOUT_S
    core.receive(b"\n", t_s)  # ends a partial line
    core.receive(b"\x18", t_s)  # soft reset: receive buffer and planner cleared
    out = core.receive(b"$X\n$I\n", t_s).decode("ascii")
    if f"[VER:{core.config.version}.{core.config.build_date}:]\r\n" not in out or not out.endswith("ok\r\n"):
        raise CheckFailed(f"GRBL answered $I after a reset with {out!r}")
    report = core.receive(b"?", t_s).decode("ascii")
    if not _GRBL_IDLE_REPORT.fullmatch(report):
        raise CheckFailed(f"GRBL answered ? after a reset with {report!r}, not an Idle report")
    return t_s


def grbl_start(core: GrblCore, t_s: float) -> None:
    """Unlock, then a slow relative move along X."""
    core.receive(b"$X\nG21G91G1X5F10\n", t_s)


def grbl_stops(core: GrblCore, t_s: float) -> float:
    """Feed hold, the hold completes, soft reset: the planner is empty and the axes stay where they are."""
    t_s += PAST_INTER_BYTE_TIMEOUT_S
    core.receive(b"!", t_s)
    core.receive(b"\x18", t_s + PAST_INTER_BYTE_TIMEOUT_S)
    position_mm = list(core.motion.position_mm)
    core.poll(t_s + STOP_SETTLE_S)
    if core.motion.busy or core.motion.position_mm != position_mm:
        raise CheckFailed(f"GRBL still moving after feed hold and reset: {core.state_name()}, "
                          f"{position_mm} -> {core.motion.position_mm} mm")
    return t_s + STOP_SETTLE_S


# --- MT-SICS balance ----------------------------------------------------------------------------
def balance_answers(core: MtSicsCore, clock: VirtualClock, t_s: float) -> float:
    """I4 gets the serial number."""
    t_s = max(t_s, clock.now_s()) + PAST_INTER_BYTE_TIMEOUT_S
    core.receive(b"\r\n", t_s)  # ends a partial line
    out = core.receive(b"I4\r\n", t_s)
    if out != f'I4 A "{core.config.serial_number}"\r\n'.encode():
        raise CheckFailed(f"balance answered I4 with {out!r}, not its serial number")
    return t_s


# --- Sartorius SBI balance ------------------------------------------------------------------------
def sartorius_answers(core: SartoriusCore, clock: VirtualClock, t_s: float) -> float:
    """ESC x2_ (after any restart's self-test) gets the serial number line."""
    t_s = max(t_s, clock.now_s(), core.booting_until_s) + PAST_INTER_BYTE_TIMEOUT_S
    out = core.receive(b"\r\n\x1bx2_\r\n", t_s)
    config = core.config
    expected = (f"{'Ser.no':>6}" if config.line_format == 22 else "") + f"{config.serial_number:>14}\r\n"
    if out != expected.encode("ascii"):
        raise CheckFailed(f"Sartorius balance answered ESC x2_ with {out!r}, not its serial number")
    return t_s


# --- Harvard pump chain ---------------------------------------------------------------------------
def harvard_send(core: HarvardCore, line: bytes, t_s: float) -> bytes:
    """`line` after a CR that ends any partial line (whose reply is dropped)."""
    core.receive(b"\r", t_s)
    return core.receive(line + b"\r", t_s)


def harvard_answers(core: HarvardCore, clock: VirtualClock, t_s: float) -> float:
    """`ver` gets the version line, then the prompt."""
    t_s = max(t_s, clock.now_s()) + PAST_INTER_BYTE_TIMEOUT_S
    out = harvard_send(core, b"ver", t_s)
    prefix = f"{core.address:02d} " if core.config.text_line_address else ""
    expected = f"\n{prefix}{core.config.version_text}\r\n{core.address:02d}{core.state.prompt}"
    if out != expected.encode("ascii"):
        raise CheckFailed(f"Harvard pump answered ver with {out!r}, not {expected!r}")
    return t_s


def harvard_start(core: HarvardCore, t_s: float) -> None:
    """A slow infusion."""
    harvard_send(core, b"irate 100 ul/hr", t_s)
    harvard_send(core, b"irun", t_s)


def harvard_stops(core: HarvardCore, t_s: float) -> float:
    """`stp` stops the motor, and it stays stopped."""
    t_s += PAST_INTER_BYTE_TIMEOUT_S
    harvard_send(core, b"stp", t_s)
    infused_ul, withdrawn_ul = core.infused_ul, core.withdrawn_ul
    core.poll(t_s + STOP_SETTLE_S)
    if core.moving or (core.infused_ul, core.withdrawn_ul) != (infused_ul, withdrawn_ul):
        raise CheckFailed(f"Harvard pump still moving after stp: prompt {core.state.prompt!r}, "
                          f"infused {infused_ul:g} -> {core.infused_ul:g} uL in {STOP_SETTLE_S:g} s")
    return t_s + STOP_SETTLE_S
