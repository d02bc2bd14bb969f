"""Rig: everything a run talks to, built from a RigConfig and torn down in reverse order.

    with Rig(config, syringe_fill_ul=8000) as rig:
        rig.pump.set_rate_ul_per_h(10.0); rig.pump.start()
        rig.clock.sleep_until_s(3600)

open() starts the emulators the URLs name (pumps before balances), substitutes their pty paths, opens the
pump (syringe diameter set, infused volume cleared) and the balance. close() runs on every exit path
(exceptions, KeyboardInterrupt): pump stopped, pump port closed, balance closed, emulators stopped.
open_findings lists what opening found and dealt with (the pump's and the balance's `open_findings`, prefixed
`pump: ` and `balance: `, e.g. a watchdog alarm a previous host left pending, or half a command it left in the
balance that the first weight reading met), for the run record: not errors.
"""
from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Any

from drivers.errors import DriverError
from drivers.url_handlers.protocol_readahead import SCHEME as READAHEAD_SCHEME
from firmware_sim.clock import Clock
from hil.config.common import emulator_reference
from hil.config.rig import RigConfig
from hil.rig.clocks import CompressedWallClock, make_clock
from hil.rig.errors import RigError
from hil.rig.registry import (BALANCE_PROTOCOLS, EMULATOR_START_ORDER, EMULATORS, PUMP_DRIVERS, BuildContext,
                              lookup)


def visa_resource_for_pty(path: str) -> str:
    """The pyvisa resource of an emulated balance's pty: pyvisa-py over our readahead:// port
    (drivers.url_handlers.protocol_readahead), which reads a reply in one system call instead of one per byte."""
    return f"ASRL{READAHEAD_SCHEME}{path}::INSTR"


class Rig:
    def __init__(self, config: RigConfig, *, time_compression_factor: float = 1.0,
                 syringe_fill_ul: float | None = None, supervision_period_s: float | None = None) -> None:
        check_time_compression(config, time_compression_factor)
        if syringe_fill_ul is not None and not 0 <= syringe_fill_ul <= config.syringe.volume_ul:
            raise RigError(f"syringe fill {syringe_fill_ul:g} uL does not fit the rig's syringe "
                           f"(syringe.volume_ul {config.syringe.volume_ul:g} uL)")
        self.config = config
        self.time_compression_factor = float(time_compression_factor)
        self.clock: Clock = make_clock(config.clock, self.time_compression_factor)
        device_clock = self.clock if config.clock == "virtual" else make_clock("wall", 1.0)
        self._ctx = BuildContext(config=config, clock=self.clock, device_clock=device_clock,
                                 syringe_fill_ul=syringe_fill_ul,
                                 supervision_period_s=supervision_period_s,
                                 time_compression_factor=self.time_compression_factor)
        self.emulators: dict[str, Any] = self._ctx.emulators
        self.pump: Any = None
        self.balance: Any = None
        self.teardown_errors: list[str] = []
        self.open_findings: list[str] = []
        self._stack: contextlib.ExitStack | None = None

    # --- lifecycle ---
    def open(self) -> Rig:
        if self._stack is not None:
            return self
        stack = contextlib.ExitStack()
        self._stack = stack
        self.open_findings = []
        try:
            self._start_emulators(stack)
            self._open_pump(stack)
            self._open_balance(stack)
        except BaseException:
            self.close()
            raise
        if isinstance(self.clock, CompressedWallClock):
            self.clock.start_now()
        return self

    def close(self) -> None:
        """Reverse order of opening; every step runs even if an earlier one fails (errors are kept)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    def __enter__(self) -> Rig:
        return self.open()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._stack is not None

    def emulator(self, name: str) -> Any:
        """The started emulator of that name; RigError naming the rig's emulators if there is none."""
        if name not in self.emulators:
            declared = ", ".join(sorted(self.emulators)) or "none"
            raise RigError(f"rig {self.config.rig_id} has no emulator {name!r} (emulators: {declared})")
        return self.emulators[name]

    # --- steps of open() ---
    def _guarded(self, stack: contextlib.ExitStack, what: str, action: Any) -> None:
        def run() -> None:
            try:
                action()
            except Exception as exc:  # teardown must go on; the error is reported, never hidden
                self.teardown_errors.append(f"{what}: {type(exc).__name__}: {exc}")
        stack.callback(run)

    def _start_emulators(self, stack: contextlib.ExitStack) -> None:
        ordered = sorted(self.config.emulators.items(), key=lambda item: EMULATOR_START_ORDER.get(item[1].kind, 2))
        for name, emulator_config in ordered:
            device = lookup(EMULATORS, emulator_config.kind, "emulator kind")(name, self._ctx)
            self.emulators[name] = device
            path = device.start()
            self._guarded(stack, f"stop emulator {name}", device.stop)
            if emulator_reference(self.config.pump.transport.url) == name:
                self._ctx.pump_url = path
            if self.config.balance is not None and emulator_reference(self.config.balance.resource) == name:
                self._ctx.balance_resource = visa_resource_for_pty(path)
        if not self._ctx.pump_url:
            self._ctx.pump_url = self.config.pump.transport.url
        if self.config.balance is not None and not self._ctx.balance_resource:
            self._ctx.balance_resource = self.config.balance.resource

    def _open_pump(self, stack: contextlib.ExitStack) -> None:
        pump = lookup(PUMP_DRIVERS, self.config.pump.driver, "pump driver")(self._ctx)
        try:
            pump.open()
        except DriverError as exc:
            raise RigError(f"pump ({self.config.pump.driver} at {self._ctx.pump_url}): {exc}") from exc
        self.pump = pump
        self._guarded(stack, "close pump port", pump.close)
        self._guarded(stack, "stop pump", pump.stop)
        try:
            pump.set_syringe_diameter_mm(self.config.syringe.diameter_mm)
            pump.clear_infused_volume()
        except DriverError as exc:
            diameter_mm = self.config.syringe.diameter_mm
            raise RigError(f"pump set-up (rig syringe.diameter_mm {diameter_mm:g} mm): {exc}") from exc
        finally:
            self.open_findings += [f"pump: {finding}" for finding in getattr(pump, "open_findings", ())]

    def _open_balance(self, stack: contextlib.ExitStack) -> None:
        if self.config.balance is None:
            return
        balance = lookup(BALANCE_PROTOCOLS, self.config.balance.protocol, "balance protocol")(self._ctx)
        try:
            balance.open()
        except DriverError as exc:
            raise RigError(f"balance ({self._ctx.balance_resource}): {exc}") from exc
        self.balance = balance
        self._guarded(stack, "close balance", balance.close)
        try:  # a port that opens is not yet a balance: a silent or garbling device, or the pump's port, fails here
            balance.read_mass_immediately()
        except DriverError as exc:
            raise RigError(f"balance ({self._ctx.balance_resource}) gave no weight reading at open: {exc}") from exc
        finally:  # the first command after open is this reading: what it found (e.g. an MT-SICS ES) is one
            self.open_findings += [f"balance: {finding}" for finding in getattr(balance, "open_findings", ())]


def check_time_compression(config: RigConfig, factor: float) -> None:
    if factor == 1.0:
        return
    if not factor > 1.0:
        raise RigError(f"time compression factor must be >= 1, got {factor:g}")
    if config.clock != "wall":
        raise RigError(f"rig {config.rig_id} runs on a {config.clock} clock: time compression applies to "
                       f"wall-clock rigs only")
    if not config.time_compression.allowed:
        raise RigError(f"rig {config.rig_id}: time_compression.allowed is false")
    if factor > config.time_compression.max_factor:
        raise RigError(f"time compression factor {factor:g} exceeds the rig's time_compression.max_factor "
                       f"{config.time_compression.max_factor:g}")
