"""DeviceKind: everything the harness knows about one kind of device, in one record."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Mapping

from hil.devices.rig_sections import RigSections
from hil.emulators.faults import Fault

if TYPE_CHECKING:
    from hil.devices.context import BuildContext


class Role(str, Enum):
    PUMP = "pump"
    BALANCE = "balance"


@dataclass(frozen=True)
class DeviceKind:
    """name: the emulator kind (`emulators.<n>.kind`, `itpump emulate <name>`, fault plans' device kind).
    config_kind: what selects it in the rig's device section: `pump.driver` for a pump, `balance.protocol` for a
    balance. pump_config: the pydantic model of the rig's `pump:` section (pumps only; balances share
    hil.config.rig.BalanceRigConfig).
    driver_factory(ctx): the driver, not opened. emulator_class / emulator_config_type: the emulator and its
    options dataclass; emulator_base(rig, fill_ul): the options the rig's own sections imply (its syringe, address,
    baud ...), which the emulator's `options:` override.
    faults: the device faults its emulator core accepts (link faults come on top, hil.emulators.fault_catalog).
    start_order: emulators start in this order (a balance weighs what its linked pump dispensed, so it comes later).
    open_loop: the driver's status reports commanded motion (a balance, when present, confirms it).
    emulate_options: the `itpump emulate` command-line options (argparse dest names) that map to its options.
    describe(emulator): what an emulator of this kind emulates, from its options dataclass (emulator.config) and, for a
    balance, whether a pump is linked to it, as the rest of a sentence after the device's name and without a colon
    (`itpump emulate` prints "<name> <describe(emulator)>").
    """

    name: str
    role: Role
    config_kind: str
    driver_factory: Callable[[BuildContext], Any]
    emulator_class: type
    emulator_config_type: type
    emulator_base: Callable[[RigSections, float], dict[str, Any]]
    faults: Mapping[Fault, str]
    start_order: int
    open_loop: bool = False
    pump_config: type | None = None
    emulate_options: tuple[str, ...] = ()
    describe: Callable[[Any], str] = field(default=lambda emulator: "is emulated", compare=False)

    def __post_init__(self) -> None:
        if (self.role is Role.PUMP) != (self.pump_config is not None):
            raise ValueError(f"device kind {self.name}: a pump has a pump_config model, a balance none")

    @property
    def option_names(self) -> frozenset[str]:
        return frozenset(f.name for f in dataclasses.fields(self.emulator_config_type))

    @property
    def seeded(self) -> bool:
        """Its emulator takes a `seed` option (a campaign gives each run its own)."""
        return "seed" in self.option_names
