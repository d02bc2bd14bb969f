"""Sartorius SBI balance over pyvisa: driver and emulator (protocols.md section 4.2)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drivers.sartorius import SartoriusBalance
from hil.config.common import emulator_reference
from hil.devices.balance_base import BALANCE_EMULATE_OPTIONS, balance_base, describe_balance
from hil.devices.kind import DeviceKind, Role
from hil.emulators.sartorius import EmulatedSartorius
from hil.emulators.sartorius_config import SartoriusConfig
from hil.emulators.sartorius_core import SartoriusCore

if TYPE_CHECKING:
    from hil.devices.rig_sections import RigSections
    from hil.devices.context import BuildContext


def _balance(ctx: BuildContext) -> SartoriusBalance:
    balance = ctx.config.balance
    assert balance is not None
    on_pty = emulator_reference(balance.resource) is not None  # a pty is 8N1 whatever is asked: its emulator frames
    return SartoriusBalance(ctx.balance_resource, backend=balance.backend, timeout_s=balance.timeout_s,
                            baud_rate=balance.baud_rate_bps, framing=None if on_pty else balance.framing or "8N1",
                            clock=ctx.driver_clock)


def _emulator_base(rig: RigSections, fill_ul: float) -> dict[str, Any]:
    base = balance_base(rig, fill_ul)
    if rig.balance is not None and rig.balance.framing:
        base["framing"] = rig.balance.framing
    return base


def _describe(emulator: EmulatedSartorius) -> str:
    config = emulator.config
    return (f"speaks Sartorius SBI ({config.framing}, {config.line_format}-character lines) and "
            + describe_balance(emulator))


KIND = DeviceKind(
    name="sartorius", role=Role.BALANCE, config_kind="sartorius-sbi", driver_factory=_balance,
    emulator_class=EmulatedSartorius, emulator_config_type=SartoriusConfig, emulator_base=_emulator_base,
    faults=SartoriusCore.FAULTS, start_order=1, emulate_options=BALANCE_EMULATE_OPTIONS + ("framing",),
    describe=_describe)
