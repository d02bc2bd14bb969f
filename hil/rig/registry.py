"""Registries that turn rig config sections into objects: rig kind strings -> factories, no `if simulate`.

    PUMP_DRIVERS["ne1000"](build_context)       -> a SyringePump (not opened)
    EMULATORS["balance"](name, build_context)   -> an EmulatedDevice (not started)
    BALANCE_PROTOCOLS["mt-sics"](build_context) -> a balance driver (not opened)

Add a device by registering a factory under its config kind.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

from drivers.grbl import GrblSyringe, plunger_area_mm2
from drivers.harvard import HarvardPump
from drivers.mtsics import MTSICSBalance
from drivers.ne1000 import SAFE_MODE_TIMEOUT_RANGE_S, NE1000Pump
from drivers.sartorius import SartoriusBalance
from drivers.syringe_pump import SyringePump
from drivers.transport import SerialTransport
from firmware_sim.clock import Clock
from hil.config.common import emulator_reference
from hil.config.rig import GrblPumpConfig, HarvardPumpConfig, Ne1000PumpConfig, RigConfig
from hil.gravimetry.conversion import G_PER_MG
from hil.rig.errors import RigError
from hil.rig.motion_horizon import motion_horizon_s

NE1000_MAX_WATCHDOG_S = SAFE_MODE_TIMEOUT_RANGE_S[1]
"""Safe-mode watchdog on a virtual clock: supervision polls (not a wall-time heartbeat) must feed it."""


@dataclass
class BuildContext:
    """What a factory may use: the config, the shared clock, resolved URLs and the emulators started so far."""

    config: RigConfig
    clock: Clock
    device_clock: Clock | None = None
    """The time devices keep: the rig's virtual clock, or plain wall time on a wall-clock rig (a real pump runs in
    wall time whatever the time compression; emulators on a wall-clock rig do the same). None: the rig's clock."""
    supervision_period_s: float | None = None
    """The run's supervision period (scenario seconds), None without a run; sets the GRBL motion horizon."""
    time_compression_factor: float = 1.0
    syringe_fill_ul: float | None = None
    pump_url: str = ""
    balance_resource: str = ""
    emulators: dict[str, Any] = field(default_factory=dict)

    @property
    def virtual_time(self) -> bool:
        return self.config.clock == "virtual"

    @property
    def emulator_clock(self) -> Clock:
        return self.device_clock if self.device_clock is not None else self.clock


def _ne1000_pump(ctx: BuildContext) -> SyringePump:
    pump = ctx.config.pump
    assert isinstance(pump, Ne1000PumpConfig)
    transport = SerialTransport(ctx.pump_url, baudrate=pump.baud_rate_bps, timeout_s=pump.transport.timeout_s)
    options: dict[str, Any] = {"heartbeat": not ctx.virtual_time}
    if ctx.virtual_time:
        options["safe_mode_timeout_s"] = NE1000_MAX_WATCHDOG_S
    return NE1000Pump(transport, address=pump.address, safe_mode=pump.safe_mode,
                      max_rate_ul_per_h=ctx.config.max_rate_ul_per_h, reply_timeout_s=pump.transport.timeout_s,
                      **options)


def _grbl_pump(ctx: BuildContext) -> SyringePump:
    pump = ctx.config.pump
    assert isinstance(pump, GrblPumpConfig)
    syringe = ctx.config.syringe
    area_mm2 = plunger_area_mm2(syringe.diameter_mm)
    transport = SerialTransport(ctx.pump_url, baudrate=pump.baud_rate_bps, timeout_s=pump.transport.timeout_s)
    return GrblSyringe(transport, steps_per_mm=pump.steps_per_mm, diameter_mm=syringe.diameter_mm,
                       max_rate_ul_per_h=ctx.config.max_rate_ul_per_h, travel_mm=syringe.volume_ul / area_mm2,
                       min_feed_mm_per_min=pump.min_feed_mm_per_min, reply_timeout_s=pump.transport.timeout_s,
                       banner_wait_s=pump.startup_wait_s,
                       motion_horizon_s=motion_horizon_s(pump, ctx.supervision_period_s, ctx.time_compression_factor))


def _harvard_pump(ctx: BuildContext) -> SyringePump:
    pump = ctx.config.pump
    assert isinstance(pump, HarvardPumpConfig)
    transport = SerialTransport(ctx.pump_url, baudrate=pump.baud_rate_bps, timeout_s=pump.transport.timeout_s)
    return HarvardPump(transport, address=pump.address, max_rate_ul_per_h=ctx.config.max_rate_ul_per_h,
                       dialect=pump.dialect, reply_timeout_s=pump.transport.timeout_s,
                       text_line_address=pump.text_line_address)


def _mtsics_balance(ctx: BuildContext) -> MTSICSBalance:
    balance = ctx.config.balance
    assert balance is not None
    return MTSICSBalance(ctx.balance_resource, backend=balance.backend, timeout_s=balance.timeout_s,
                         baud_rate=balance.baud_rate_bps)


def _sartorius_balance(ctx: BuildContext) -> SartoriusBalance:
    balance = ctx.config.balance
    assert balance is not None
    on_pty = emulator_reference(balance.resource) is not None  # a pty is 8N1 whatever is asked: its emulator frames
    return SartoriusBalance(ctx.balance_resource, backend=balance.backend, timeout_s=balance.timeout_s,
                            baud_rate=balance.baud_rate_bps, framing=None if on_pty else balance.framing or "8N1")


def _with_options(kind: str, name: str, config_type: type, base: dict[str, Any], options: dict[str, Any]) -> Any:
    known = {f.name for f in dataclasses.fields(config_type)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise RigError(f"emulators.{name}.options: unknown option(s) {unknown} for a {kind} emulator; "
                       f"known: {', '.join(sorted(known))}")
    try:
        return config_type(**{**base, **options})
    except (TypeError, ValueError) as exc:
        raise RigError(f"emulators.{name}: {exc}") from exc


def _fill_ul(ctx: BuildContext) -> float:
    volume_ul = ctx.config.syringe.volume_ul
    return volume_ul if ctx.syringe_fill_ul is None else ctx.syringe_fill_ul


def _ne1000_emulator(name: str, ctx: BuildContext) -> Any:
    from hil.emulators import EmulatedNE1000, NE1000Config

    pump, syringe = ctx.config.pump, ctx.config.syringe
    base = {"syringe_diameter_mm": syringe.diameter_mm, "syringe_volume_ul": syringe.volume_ul,
            "fill_volume_ul": _fill_ul(ctx)}
    if isinstance(pump, Ne1000PumpConfig):
        base.update(address=pump.address, baud=pump.baud_rate_bps)
    config = _with_options("ne1000", name, NE1000Config, base, ctx.config.emulators[name].options)
    return EmulatedNE1000(ctx.emulator_clock, config)


def _grbl_emulator(name: str, ctx: BuildContext) -> Any:
    from hil.emulators import EmulatedGrbl, GrblConfig

    pump, syringe = ctx.config.pump, ctx.config.syringe
    base: dict[str, Any] = {"syringe_diameter_mm": syringe.diameter_mm, "syringe_volume_ul": syringe.volume_ul,
                            "fill_volume_ul": _fill_ul(ctx)}
    if isinstance(pump, GrblPumpConfig):
        base.update(steps_per_mm=pump.steps_per_mm, baud=pump.baud_rate_bps)
    config = _with_options("grbl", name, GrblConfig, base, ctx.config.emulators[name].options)
    return EmulatedGrbl(ctx.emulator_clock, config)


def _harvard_emulator(name: str, ctx: BuildContext) -> Any:
    from hil.emulators import EmulatedHarvard, HarvardConfig

    pump, syringe = ctx.config.pump, ctx.config.syringe
    base: dict[str, Any] = {"syringe_diameter_mm": syringe.diameter_mm, "syringe_volume_ul": syringe.volume_ul,
                            "fill_volume_ul": _fill_ul(ctx)}
    if isinstance(pump, HarvardPumpConfig):
        base.update(address=pump.address, dialect=pump.dialect, baud=pump.baud_rate_bps,
                    text_line_address=pump.text_line_address)
    config = _with_options("harvard", name, HarvardConfig, base, ctx.config.emulators[name].options)
    return EmulatedHarvard(ctx.emulator_clock, config)


def _balance_emulator(name: str, ctx: BuildContext) -> Any:
    from hil.emulators import BalanceConfig, EmulatedBalance

    config, source = _balance_emulator_config(name, ctx, "balance", BalanceConfig)
    return EmulatedBalance(ctx.emulator_clock, source, config)


def _sartorius_emulator(name: str, ctx: BuildContext) -> Any:
    from hil.emulators import EmulatedSartorius, SartoriusConfig

    framing = ctx.config.balance.framing if ctx.config.balance is not None else None
    config, source = _balance_emulator_config(name, ctx, "sartorius", SartoriusConfig,
                                              {"framing": framing} if framing else {})
    return EmulatedSartorius(ctx.emulator_clock, source, config)


def _balance_emulator_config(name: str, ctx: BuildContext, kind: str, config_type: type,
                             extra: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """A balance emulator's config (the rig's balance section, then its options) and its linked pump's outflow."""
    emulator = ctx.config.emulators[name]
    linked = ctx.emulators.get(emulator.linked_pump or "")
    if linked is None:
        raise RigError(f"emulators.{name}.linked_pump: pump emulator {emulator.linked_pump!r} is not started "
                       f"(declare it before the balance)")
    base: dict[str, Any] = {}
    if ctx.config.balance is not None:
        base.update(density_g_per_ml=ctx.config.balance.density_g_per_ml,
                    evaporation_g_per_h=ctx.config.balance.evaporation_rate_mg_per_h * G_PER_MG,
                    baud=ctx.config.balance.baud_rate_bps)
    config = _with_options(kind, name, config_type, {**base, **(extra or {})}, emulator.options)
    return config, linked


PUMP_DRIVERS: dict[str, Callable[[BuildContext], SyringePump]] = {"ne1000": _ne1000_pump, "grbl": _grbl_pump,
                                                                  "harvard": _harvard_pump}
BALANCE_PROTOCOLS: dict[str, Callable[[BuildContext], Any]] = {"mt-sics": _mtsics_balance,
                                                              "sartorius-sbi": _sartorius_balance}
EMULATORS: dict[str, Callable[[str, BuildContext], Any]] = {
    "ne1000": _ne1000_emulator, "grbl": _grbl_emulator, "balance": _balance_emulator,
    "sartorius": _sartorius_emulator, "harvard": _harvard_emulator}
OPEN_LOOP_DRIVERS = frozenset({"grbl"})
"""Drivers whose status reports commanded motion; with a balance, the balance confirms it (hil.adapters.for_rig)."""
EMULATOR_START_ORDER = {"ne1000": 0, "grbl": 0, "harvard": 0, "balance": 1, "sartorius": 1}
"""Pumps before balances: a balance emulator weighs what its linked pump emulator dispensed."""


def lookup(registry: dict[str, Any], kind: str, what: str) -> Any:
    try:
        return registry[kind]
    except KeyError:
        raise RigError(f"no {what} registered for {kind!r}; known: {', '.join(sorted(registry))}") from None
