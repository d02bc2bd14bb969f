"""Rig schema: which pump, syringe, balance and clock a bench (or its emulation) has.

Devices are reached through a serial URL (a device path, socket://, spy://, loop://) or, on emulated
rigs, through `emulator:<name>`, which names an entry of the `emulators:` section; the runner starts
that emulator and substitutes its pty path at run time.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, model_validator

from hil.config.common import Identifier, StrictModel, emulator_reference
from hil.config.loading import KeyPath, LocatedProblem
from hil.gravimetry.conversion import WATER_DENSITY_G_PER_ML


class TransportConfig(StrictModel):
    url: str = Field(min_length=1, description="device path, socket://, spy://, loop:// or emulator:<name>")
    timeout_s: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _emulator_name_is_valid(self) -> "TransportConfig":
        emulator_reference(self.url)
        return self


class Ne1000PumpConfig(StrictModel):
    driver: Literal["ne1000"]
    transport: TransportConfig
    address: int = Field(0, ge=0, le=99)
    safe_mode: bool = False
    baud_rate_bps: Literal[300, 1200, 2400, 9600, 19200] = 19200


class GrblPumpConfig(StrictModel):
    driver: Literal["grbl"]
    transport: TransportConfig
    baud_rate_bps: int = Field(115200, gt=0)
    steps_per_mm: float = Field(gt=0, description="GRBL $100: motor steps/rev x microsteps / lead mm per rev")
    startup_wait_s: float = Field(2.0, ge=0, description="wait for the banner after open (board resets) [U]")
    min_feed_mm_per_min: float = Field(1.0, gt=0, description="GRBL MINIMUM_FEED_RATE build constant (stock 1.0) [U]")
    motion_horizon_s: float | None = Field(
        None, gt=0, description="most motion (device seconds) GRBL may hold queued; a dead host's stepper stops within "
                                "it. Default: two supervision periods of the run (hil.rig.motion_horizon) [SR-DRV-010]")


PumpConfig = Annotated[Union[Ne1000PumpConfig, GrblPumpConfig], Field(discriminator="driver")]


class SyringeConfig(StrictModel):
    diameter_mm: float = Field(gt=0, le=50)
    volume_ul: float = Field(gt=0)


class BalanceConfig(StrictModel):
    resource: str = Field(min_length=1, description="VISA resource, e.g. ASRL/dev/ttyUSB1::INSTR, or emulator:<name>")
    backend: str = Field("@py", description="pyvisa backend: @py, or <file>.yaml@sim for pyvisa-sim")
    protocol: Literal["mt-sics"] = "mt-sics"
    baud_rate_bps: int = Field(9600, gt=0)
    timeout_s: float = Field(2.0, gt=0)
    sample_interval_s: float = Field(30.0, gt=0, description="IEC 60601-2-24 uses 30 s [U]")
    density_g_per_ml: float = Field(WATER_DENSITY_G_PER_ML, gt=0)
    evaporation_rate_mg_per_h: float = Field(0.0, ge=0, description="mass lost from the vessel, added back")

    @model_validator(mode="after")
    def _emulator_name_is_valid(self) -> "BalanceConfig":
        emulator_reference(self.resource)
        return self


class TimeCompressionConfig(StrictModel):
    allowed: bool = False
    max_factor: float = Field(1.0, ge=1.0)

    @model_validator(mode="after")
    def _factor_only_when_allowed(self) -> "TimeCompressionConfig":
        if not self.allowed and self.max_factor != 1.0:
            raise ValueError("max_factor must be 1.0 when time compression is not allowed")
        return self


class EmulatorConfig(StrictModel):
    kind: Literal["ne1000", "grbl", "balance"]
    linked_pump: Identifier | None = Field(None, description="balance only: the pump emulator it weighs")
    options: dict[Identifier, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _balance_is_linked(self) -> "EmulatorConfig":
        if self.kind == "balance" and self.linked_pump is None:
            raise ValueError("a balance emulator needs linked_pump: <name of a pump emulator>")
        if self.kind != "balance" and self.linked_pump is not None:
            raise ValueError(f"linked_pump is only for balance emulators, not {self.kind}")
        return self


class RigConfig(StrictModel):
    rig_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    description: str = ""
    clock: Literal["virtual", "wall"]
    pump: PumpConfig
    syringe: SyringeConfig
    balance: BalanceConfig | None = None
    max_rate_ul_per_h: float = Field(gt=0, description="rig safety limit; faster commands are refused")
    features: list[Identifier] = Field(default_factory=list)
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
                problems += self._check_reference(("balance", "resource"), balance_emulator, {"balance"})
        for name, emulator in self.emulators.items():
            if emulator.linked_pump is not None:
                problems += self._check_reference(("emulators", name, "linked_pump"), emulator.linked_pump,
                                                  {"ne1000", "grbl"})
        if self.clock == "virtual" and pump_emulator is None:
            problems.append((("clock",), "clock: virtual needs an emulated pump (pump.transport.url: "
                             "emulator:<name>), because the emulators share the virtual clock"))
        if self.clock == "virtual" and self.time_compression.allowed:
            problems.append((("time_compression", "allowed"), "time compression applies to wall-clock rigs only"))
        if ("balance" in self.features) != (self.balance is not None):
            problems.append((("features",), "features must list 'balance' exactly when a balance: section is present"))
        if len(set(self.features)) != len(self.features):
            problems.append((("features",), "features has duplicate entries"))
        return problems

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
