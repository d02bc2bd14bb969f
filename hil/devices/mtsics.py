"""Mettler Toledo MT-SICS balance over pyvisa: driver and emulator (protocols.md section 4.1)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.mtsics import MTSICSBalance
from hil.devices.balance_base import BALANCE_EMULATE_OPTIONS, balance_base, describe_balance
from hil.devices.kind import DeviceKind, Role
from hil.emulators.balance import EmulatedBalance
from hil.emulators.balance_config import BalanceEmulatorConfig
from hil.emulators.mtsics_core import MtSicsCore

if TYPE_CHECKING:
    from hil.devices.context import BuildContext


def _balance(ctx: BuildContext) -> MTSICSBalance:
    balance = ctx.config.balance
    assert balance is not None
    return MTSICSBalance(ctx.balance_resource, backend=balance.backend, timeout_s=balance.timeout_s,
                         baud_rate=balance.baud_rate_bps)


KIND = DeviceKind(
    name="balance", role=Role.BALANCE, config_kind="mt-sics", driver_factory=_balance,
    emulator_class=EmulatedBalance, emulator_config_type=BalanceEmulatorConfig, emulator_base=balance_base,
    faults=MtSicsCore.FAULTS, start_order=1, emulate_options=BALANCE_EMULATE_OPTIONS,
    describe=describe_balance)
