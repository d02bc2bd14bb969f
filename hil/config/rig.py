"""Rig schema: which pump, syringe, balance and clock a bench (or its emulation) has.

Devices are reached through a serial URL (a device path, socket://, spy://, loop://) or, on emulated
rigs, through `emulator:<name>`, which names an entry of the `emulators:` section; the runner starts
that emulator and substitutes its pty path at run time. The pump models, balance protocols and emulator kinds
come from the device catalog (hil.devices.catalog).
"""
from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import Field, model_validator

from hil.config.bounds import MAX_TIMEOUT_S, MIN_BALANCE_SAMPLE_INTERVAL_S, MIN_TIMEOUT_S
from hil.config.common import Flag, Identifier, Number, StrictModel, WholeNumber, emulator_reference
from hil.config.errors import KeyPath, LocatedProblem
from hil.config.transport import TransportConfig
from hil.devices.catalog import BALANCE_EMULATOR_KINDS, BALANCE_PROTOCOLS, EMULATOR_KINDS, pump_kinds
from hil.devices.catalog import kind as device_kind
from hil.devices.emulator_options import EmulatorOptionsError, emulator_config
from hil.devices.grbl import GrblPumpConfig
from hil.devices.harvard import HarvardPumpConfig
from hil.devices.ne1000 import Ne1000PumpConfig
from hil.gravimetry.conversion import WATER_DENSITY_G_PER_ML

__all__ = [
    "BALANCE_EMULATOR_KINDS",
    "BalanceRigConfig",
    "EmulatorConfig",
    "GrblPumpConfig",
    "HarvardPumpConfig",
    "Ne1000PumpConfig",
    "PumpConfig",
    "RigConfig",
    "SyringeRigConfig",
    "TimeCompressionConfig",
    "TransportConfig",
]


if TYPE_CHECKING:  # the pump kinds of today's catalog, for the type checker
    PumpConfig = Ne1000PumpConfig | GrblPumpConfig | HarvardPumpConfig
else:  # Union[...] (UP007 would write X | Y): the members are the catalog's, known only at import
    PumpConfig = Annotated[Union[tuple(entry.pump_config for entry in pump_kinds())],  # noqa: UP007
                           Field(discriminator="driver")]
"""The rig's `pump:` section: one model per pump kind of the device catalog, chosen by `driver:`."""


class SyringeRigConfig(StrictModel):
    diameter_mm: Number = Field(gt=0, le=50)
    volume_ul: Number = Field(gt=0, le=1e6)


class DeliveryCheckConfig(StrictModel):
    """Gravimetric delivery-accuracy check (SR-SUP-006): weighed vs pump-reported volume per window."""

    enabled: Flag = True
    tolerance_fraction: Number = Field(0.05, gt=0, lt=1, description="largest |weighed - reported| / reported")
    window_volume_ul: Number = Field(50.0, gt=0, le=1e6, description="pump-reported volume per judged window, uL")


class BalanceRigConfig(StrictModel):
    resource: str = Field(min_length=1, description="VISA resource, e.g. ASRL/dev/ttyUSB1::INSTR, or emulator:<name>")
    backend: str = Field("@py", description="pyvisa backend: @py, or <file>.yaml@sim for pyvisa-sim")
    protocol: Literal[BALANCE_PROTOCOLS] = "mt-sics"  # type: ignore[valid-type]
    framing: Literal["7O1", "8N1"] | None = Field(None, description="sartorius-sbi only: the balance menu's data "
                                                   "bits/parity (default 8N1; legacy SBI 7O1) [U]")
    baud_rate_bps: WholeNumber = Field(9600, gt=0, le=10_000_000)
    timeout_s: Number = Field(2.0, ge=MIN_TIMEOUT_S, le=MAX_TIMEOUT_S)
    sample_interval_s: Number = Field(
        30.0, ge=MIN_BALANCE_SAMPLE_INTERVAL_S, le=86_400, description="IEC 60601-2-24 uses 30 s [U]"
    )
    density_g_per_ml: Number = Field(WATER_DENSITY_G_PER_ML, ge=0.1, le=25)
    evaporation_rate_mg_per_h: Number = Field(0.0, ge=0, le=1e6, description="mass lost from the vessel, added back")
    settling_time_s: Number = Field(
        0.2, gt=0, le=60, description="how long the reading lags a changing load (the settling time constant, wall "
        "seconds); the balance checks allow for it at the pump's flow, and an emulated balance settles so. A bench "
        "balance's is [U]: measure it (analytical balances settle in about 1 - 3 s)")
    delivery_check: DeliveryCheckConfig = Field(default_factory=DeliveryCheckConfig)

    @model_validator(mode="after")
    def _emulator_name_is_valid(self) -> BalanceRigConfig:
        emulator_reference(self.resource)
        if self.framing is not None and self.protocol != "sartorius-sbi":
            raise ValueError(f"framing is for protocol sartorius-sbi only, not {self.protocol}")
        return self


class TimeCompressionConfig(StrictModel):
    allowed: Flag = False
    max_factor: Number = Field(1.0, ge=1.0, le=10_000)

    @model_validator(mode="after")
    def _factor_only_when_allowed(self) -> TimeCompressionConfig:
        if not self.allowed and self.max_factor != 1.0:
            raise ValueError("max_factor must be 1.0 when time compression is not allowed")
        return self


class EmulatorConfig(StrictModel):
    kind: Literal[EMULATOR_KINDS]  # type: ignore[valid-type]
    linked_pump: Identifier | None = Field(None, description="balance only: the pump emulator it weighs")
    options: dict[Identifier, bool | WholeNumber | Number | str | None] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _balance_is_linked(self) -> EmulatorConfig:
        is_balance = self.kind in BALANCE_EMULATOR_KINDS.values()
        if is_balance and self.linked_pump is None:
            raise ValueError("a balance emulator needs linked_pump: <name of a pump emulator>")
        if not is_balance and self.linked_pump is not None:
            raise ValueError(f"linked_pump is only for balance emulators, not {self.kind}")
        return self


class RigFeature(StrEnum):
    """What a rig has beside its pump: `balance` (listed exactly when a balance: section is present),
    `fault_injection` (its emulators take injected faults)."""

    BALANCE = "balance"
    FAULT_INJECTION = "fault_injection"


class RigConfig(StrictModel):
    rig_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    description: str = ""
    clock: Literal["virtual", "wall"]
    pump: PumpConfig
    syringe: SyringeRigConfig
    balance: BalanceRigConfig | None = None
    max_rate_ul_per_h: Number = Field(gt=0, le=1e7, description="rig safety limit; faster commands are refused")
    features: list[RigFeature] = Field(default_factory=list)
    time_compression: TimeCompressionConfig = TimeCompressionConfig()
    emulators: dict[Identifier, EmulatorConfig] = Field(default_factory=dict)

    def cross_check(self) -> list[LocatedProblem]:
        """Consistency across sections (run by load_model, which turns key paths into file lines)."""
        problems: list[LocatedProblem] = []
        pump_emulator = emulator_reference(self.pump.transport.url)
        if pump_emulator is not None:
            problems += self._check_reference(("pump", "transport", "url"), pump_emulator, {self.pump.driver})
        if self.balance is not None:
            balance_emulator = emulator_reference(self.balance.resource)
            if balance_emulator is not None:
                problems += self._check_reference(("balance", "resource"), balance_emulator,
                                                  {BALANCE_EMULATOR_KINDS[self.balance.protocol]})
        for name, emulator in self.emulators.items():
            problems += self._check_emulator_options(name, emulator)
            if emulator.linked_pump is not None:
                problems += self._check_reference(("emulators", name, "linked_pump"), emulator.linked_pump,
                                                  {entry.name for entry in pump_kinds()})
        if self.clock == "virtual" and pump_emulator is None:
            problems.append((("clock",), "clock: virtual needs an emulated pump (pump.transport.url: "
                             "emulator:<name>), because the emulators share the virtual clock"))
        if self.clock == "virtual" and self.time_compression.allowed:
            problems.append((("time_compression", "allowed"), "time compression applies to wall-clock rigs only"))
        if (RigFeature.BALANCE in self.features) != (self.balance is not None):
            problems.append((("features",), "features must list 'balance' exactly when a balance: section is present"))
        if len(set(self.features)) != len(self.features):
            problems.append((("features",), "features has duplicate entries"))
        return problems

    def _check_emulator_options(self, name: str, emulator: EmulatorConfig) -> list[LocatedProblem]:
        """The emulator's options dataclass built as the rig would build it (syringe full): a bad or unknown option
        is reported at its key (a bad value the rig's other sections imply, at the emulator)."""
        try:
            emulator_config(device_kind(emulator.kind), self, self.syringe.volume_ul, emulator.options)
        except EmulatorOptionsError as exc:
            where: KeyPath = ("emulators", name, "options", exc.option) if exc.option is not None \
                else ("emulators", name)
            return [(where, str(exc))]
        return []

    def _check_reference(self, where: KeyPath, name: str, kinds: set[str]) -> list[LocatedProblem]:
        emulator = self.emulators.get(name)
        if emulator is None:
            declared = ", ".join(sorted(self.emulators)) or "none"
            return [(where, f"refers to emulator {name!r}, which is not declared under emulators: "
                            f"(declared: {declared})")]
        if emulator.kind not in kinds:
            return [(where, f"refers to emulator {name!r} of kind {emulator.kind}, "
                            f"expected {' or '.join(sorted(kinds))}")]
        return []
