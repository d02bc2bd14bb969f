"""One fuzz case of one device: line noise into its emulator core, mutated replies into its driver's reply
parsers, or a driver session over a noisy link to the emulator. A case draws everything from its Chooser, so a
seeded chooser replays it exactly."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firmware_sim.clock import VirtualClock
from hil.emulators import BalanceEmulatorConfig, GrblConfig, HarvardConfig, NE1000Config
from hil.emulators.faults import EmulatorError
from hil.emulators.grbl_core import GrblCore
from hil.emulators.harvard_config import DIALECTS
from hil.emulators.harvard_core import HarvardCore
from hil.emulators.mtsics_core import MtSicsCore
from hil.emulators.ne1000_core import NE1000Core
from hil.emulators.sartorius_config import SBI_FRAMINGS, SBI_LINE_FORMATS, SartoriusConfig
from hil.emulators.sartorius_core import SartoriusCore
from hil.fuzz import corpus, driver_cases, emulator_checks as checks, reply_parsers
from hil.fuzz.emulator_checks import CheckFailed
from hil.fuzz.mutations import Chooser, burst, line_noise
from hil.fuzz.noisy_link import NoisyLink

GAPS_S = (0.0, 0.0, 0.01, 0.6, 30.0, 3600.0)
"""Clock steps between chunks: within a packet, past the NE-1000 inter-byte timeout, past its watchdog."""
CASE_KINDS = ("core", "core", "core", "core", "core", "parsers", "parsers", "parsers", "driver", "driver")
"""Half the cases fuzz the emulator core, three in ten the reply parsers, two in ten a driver session."""
MAX_N_PARSER_REPLIES = 8


@dataclass(frozen=True)
class Device:
    name: str
    commands: tuple[bytes, ...]
    """Valid frames the emulator core parses."""
    replies: tuple[bytes, ...]
    """Valid replies the driver parses."""
    new_core: Callable[[Chooser, VirtualClock], Any]
    answers: Callable[[Any, VirtualClock, float], float]
    """Raise CheckFailed unless the core answers a valid command correctly (after the stop check, if any)."""
    start: Callable[[Any, float], None] | None
    """Set the motor moving (None: the device has no motor)."""
    stops: Callable[[Any, float], float] | None
    """Stop the motor, raise CheckFailed unless it stays stopped; returns the clock time used."""
    check_reply: Callable[[bytes], None]
    session: Callable[[NoisyLink], driver_cases.Session]


@dataclass
class Case:
    kind: str = ""
    frames: list[bytes] = field(default_factory=list)
    """Every byte string handed to the code under test, in order: the case's reproducer."""


def _ne1000_core(pick: Chooser, clock: VirtualClock) -> NE1000Core:
    return NE1000Core(NE1000Config(safe_mode_timeout_s=pick.choice((0, 10))))


def _sartorius_core(pick: Chooser, clock: VirtualClock) -> SartoriusCore:
    return SartoriusCore(SartoriusConfig(framing=pick.choice(SBI_FRAMINGS), line_format=pick.choice(SBI_LINE_FORMATS)),
                         clock, None)


NE1000 = Device("ne1000", corpus.NE1000_COMMANDS, corpus.NE1000_REPLY_FRAMES, _ne1000_core,
                lambda core, clock, t_s: checks.ne1000_answers_version(core, t_s), checks.ne1000_start,
                checks.ne1000_stops, reply_parsers.check_ne1000_reply, driver_cases.ne1000_session)
GRBL = Device("grbl", corpus.GRBL_COMMANDS, corpus.lines_as_bytes(corpus.GRBL_REPLY_LINES),
              lambda pick, clock: GrblCore(GrblConfig()),
              lambda core, clock, t_s: checks.grbl_answers(core, t_s), checks.grbl_start, checks.grbl_stops,
              reply_parsers.check_grbl_reply, driver_cases.grbl_session)
HARVARD = Device("harvard", corpus.HARVARD_COMMANDS, corpus.HARVARD_REPLIES,
                 lambda pick, clock: HarvardCore(HarvardConfig(dialect=pick.choice(DIALECTS),
                                                               text_line_address=bool(pick.integer(0, 1)))),
                 checks.harvard_answers, checks.harvard_start, checks.harvard_stops, reply_parsers.check_harvard_reply,
                 driver_cases.harvard_session)
BALANCE = Device("balance", corpus.BALANCE_COMMANDS, corpus.lines_as_bytes(corpus.BALANCE_REPLY_LINES),
                 lambda pick, clock: MtSicsCore(BalanceEmulatorConfig(), clock, None), checks.balance_answers, None,
                 None, reply_parsers.check_balance_reply, driver_cases.balance_session)
SARTORIUS = Device("sartorius", corpus.SARTORIUS_COMMANDS, corpus.lines_as_bytes(corpus.SARTORIUS_REPLY_LINES),
                   _sartorius_core, checks.sartorius_answers, None, None, reply_parsers.check_sartorius_reply,
                   driver_cases.sartorius_session)
DEVICES: dict[str, Device] = {device.name: device for device in (NE1000, GRBL, HARVARD, BALANCE, SARTORIUS)}
"""Device name (its emulator kind in hil.devices.catalog) -> its fuzz target."""


def run_case(device: Device, pick: Chooser, case: Case) -> None:
    """One case, recorded into `case` as it goes; raises CheckFailed or whatever escaped the code under test."""
    case.kind = pick.choice(CASE_KINDS)
    if case.kind == "parsers":
        for _ in range(pick.integer(1, MAX_N_PARSER_REPLIES)):
            reply = line_noise(device.replies, pick)
            case.frames.append(reply)
            device.check_reply(reply)
        return
    clock = VirtualClock()
    core = device.new_core(pick, clock)
    if case.kind == "driver":
        link = NoisyLink(core, clock, pick, driver_cases.REPLY_TIMEOUT_S)
        case.frames = link.replies
        driver_cases.run_session(device.session(link))
        t_s = clock.now_s()
    else:
        t_s = _noise_into_core(device, core, clock, pick, case)
    if device.stops is not None:
        t_s = device.stops(core, t_s)
    device.answers(core, clock, t_s)


def _noise_into_core(device: Device, core: Any, clock: VirtualClock, pick: Chooser, case: Case) -> float:
    t_s = 0.0
    if device.start is not None and pick.integer(0, 1):
        device.start(core, t_s)
    for chunk in burst(device.commands, pick):
        t_s = max(t_s + pick.choice(GAPS_S), clock.now_s())  # the balance's S, Z and T wait on the clock
        case.frames.append(chunk)
        try:
            core.receive(chunk, t_s)
            core.poll(t_s)
        except EmulatorError:
            pass  # the emulator's own typed error: allowed, as long as the device answers afterwards
    return t_s


def describe(exc: BaseException) -> str:
    """What went wrong and where: the exception and the innermost frame of the project's code."""
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if ("/drivers/" in filename or "/hil/" in filename or "/firmware_sim/" in filename) \
                and "/hil/fuzz/" not in filename:
            where = f" at {filename.rsplit('/', 2)[-2]}/{filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
        tb = tb.tb_next
    if isinstance(exc, CheckFailed):
        return str(exc)
    return f"{type(exc).__name__}: {exc}{where}"[:2000]
