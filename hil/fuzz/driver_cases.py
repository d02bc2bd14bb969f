"""Each driver, opened on its emulator through a NoisyLink, goes through a short session (open, rate, start,
status, stop) while reply chunks are mutated (hil.fuzz.noisy_link). Every call returns or raises a typed driver
error within its timeout bound (the NoisyLink checks the reads); a stop() that returns leaves the emulated pump
stopped."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.errors import DriverError
from drivers.grbl import GrblSyringe
from drivers.harvard import HarvardPump
from drivers.mtsics import MTSICSBalance
from drivers.ne1000 import NE1000Pump
from drivers.sartorius import SartoriusBalance
from firmware_sim.units import MS_PER_S
from hil.emulators.grbl_core import GrblCore
from hil.emulators.harvard_core import HarvardCore
from hil.emulators.ne1000_core import NE1000Core
from hil.fuzz.emulator_checks import CheckFailed, ne1000_moving
from hil.fuzz.noisy_link import NoisyCoreTransport, NoisyLink, NoisyVisaResource

RATE_UL_PER_H = 2000.0
"""Within both pumps' range (a GRBL feed of about 1.9 mm/min on the default syringe)."""
REPLY_TIMEOUT_S = 0.5
"""The drivers' reply timeout in a fuzz session (virtual time: no read ever sleeps)."""
WALL_SLACK_S = 5.0
"""A driver call may take its read budget plus this much wall time (the reads themselves never sleep, so a call
near the bound is a driver spinning on its own deadline)."""


@dataclass
class Session:
    """A driver on a NoisyLink and the calls to make, in order."""

    link: NoisyLink
    driver: Any
    calls: tuple[tuple[str, Callable[[], object]], ...]
    moving: Callable[[], bool] | None
    """Whether the emulated motor is still moving (None: no motor)."""


def ne1000_session(link: NoisyLink) -> Session:
    core = link.core
    assert isinstance(core, NE1000Core)
    pump = NE1000Pump(NoisyCoreTransport(link, REPLY_TIMEOUT_S), safe_mode=core.safe_mode, heartbeat=False,
                      reply_timeout_s=REPLY_TIMEOUT_S)
    return Session(link, pump, (("open", pump.open),
                                ("set_rate_ul_per_h", lambda: pump.set_rate_ul_per_h(RATE_UL_PER_H)),
                                ("start", pump.start), ("status", pump.status), ("stop", pump.stop)),
                   lambda: ne1000_moving(core))


def grbl_session(link: NoisyLink) -> Session:
    core = link.core
    assert isinstance(core, GrblCore)
    syringe = GrblSyringe(NoisyCoreTransport(link, REPLY_TIMEOUT_S), steps_per_mm=core.config.steps_per_mm,
                          diameter_mm=core.config.syringe_diameter_mm, max_rate_ul_per_h=10_000.0,
                          reply_timeout_s=REPLY_TIMEOUT_S, hold_timeout_s=REPLY_TIMEOUT_S, poll_interval_s=0.001)
    return Session(link, syringe, (("open", syringe.open),
                                   ("set_rate_ul_per_h", lambda: syringe.set_rate_ul_per_h(RATE_UL_PER_H)),
                                   ("start", syringe.start), ("status", syringe.status), ("stop", syringe.stop)),
                   lambda: core.motion.busy)


def harvard_session(link: NoisyLink) -> Session:
    core = link.core
    assert isinstance(core, HarvardCore)
    config = core.config
    pump = HarvardPump(NoisyCoreTransport(link, REPLY_TIMEOUT_S), address=config.address, dialect=config.dialect,
                       text_line_address=config.text_line_address, reply_timeout_s=REPLY_TIMEOUT_S)
    return Session(link, pump, (("open", pump.open),
                                ("set_rate_ul_per_h", lambda: pump.set_rate_ul_per_h(RATE_UL_PER_H)),
                                ("start", pump.start), ("status", pump.status), ("stop", pump.stop)),
                   lambda: core.moving)


def balance_session(link: NoisyLink) -> Session:
    balance = MTSICSBalance("ASRL::fuzz::INSTR", timeout_s=REPLY_TIMEOUT_S, stable_timeout_s=REPLY_TIMEOUT_S)
    balance._resource = NoisyVisaResource(link, int(REPLY_TIMEOUT_S * MS_PER_S))  # the session open() would make
    return Session(link, balance, (("serial_number", balance.serial_number), ("zero", balance.zero),
                                   ("read_mass_immediately", balance.read_mass_immediately),
                                   ("read_stable_mass_g", balance.read_stable_mass_g), ("tare_g", balance.tare_g),
                                   ("start_stream", balance.start_stream), ("read_streamed", balance.read_streamed),
                                   ("stop_stream", balance.stop_stream)), None)


def sartorius_session(link: NoisyLink) -> Session:
    balance = SartoriusBalance("ASRL::fuzz::INSTR", timeout_s=REPLY_TIMEOUT_S, stable_timeout_s=REPLY_TIMEOUT_S)
    balance._resource = NoisyVisaResource(link, int(REPLY_TIMEOUT_S * MS_PER_S))  # the session open() would make
    return Session(link, balance, (("serial_number", balance.serial_number), ("model", balance.model),
                                   ("zero", balance.zero), ("read_mass_immediately", balance.read_mass_immediately),
                                   ("tare", balance.tare), ("read_stable_mass_g", balance.read_stable_mass_g),
                                   ("restart", balance.restart)), None)


def run_session(session: Session) -> None:
    """Make every call; CheckFailed (or any exception that is not a typed driver error) ends the session."""
    stopped_by_driver = False
    for name, call in session.calls:
        session.link.begin_call()
        started_s = time.monotonic()
        try:
            call()
            stopped_by_driver = name == "stop"
        except DriverError:
            if name == "open":
                return  # nothing more to say to a device that did not open
        except CheckFailed as exc:
            raise CheckFailed(f"{name}(): {exc}") from exc
        except Exception as exc:
            raise CheckFailed(f"{name}() raised {type(exc).__name__}, not a typed driver error: {exc}") from exc
        took_s = time.monotonic() - started_s
        bound_s = session.link.max_timeout_s * (session.link.call_requests + 1) + WALL_SLACK_S
        if took_s > bound_s:
            raise CheckFailed(f"{name}() took {took_s:.1f} s of wall time, more than {bound_s:g} s")
    if stopped_by_driver and session.moving is not None and session.moving():
        raise CheckFailed("the driver's stop() returned, but the emulated pump is still moving")
