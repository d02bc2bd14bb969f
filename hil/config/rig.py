"""Rig schema: which pump, syringe, balance and clock a bench (or its emulation) has.

Devices are reached through a serial URL (a device path, socket://, spy://, loop://) or, on emulated
rigs, through `emulator:<name>`, which names an entry of the `emulators:` section; the runner starts
that emulator and substitutes its pty path at run time.
"""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from hil.config.bounds import MAX_STARTUP_WAIT_S, MAX_TIMEOUT_S, MIN_BALANCE_SAMPLE_INTERVAL_S, MIN_TIMEOUT_S
from hil.config.common import Identifier, Number, StrictModel, WholeNumber, emulator_reference
from hil.config.loading import KeyPath, LocatedProblem
from hil.gravimetry.conversion import WATER_DENSITY_G_PER_ML


class TransportConfig(StrictModel):
    url: str = Field(min_length=1, description="device path, socket://, spy://, loop:// or emulator:<name>")
    timeout_s: Number = Field(1.0, ge=MIN_TIMEOUT_S, le=MAX_TIMEOUT_S)

    @model_validator(mode="after")
    def _emulator_name_is_valid(self) -> "TransportConfig":
        emulator_reference(self.url)
        return self


class Ne1000PumpConfig(StrictModel):
    driver: Literal["ne1000"]
    transport: TransportConfig
    address: WholeNumber = Field(0, ge=0, le=99)
    safe_mode: bool = Field(True, description="CRC-framed protocol and communications watchdog; basic mode "
                                                 "(no CRC, no watchdog) only when set to false explicitly")
    baud_rate_bps: Literal[300, 1200, 2400, 9600, 19200] = 19200


class GrblPumpConfig(StrictModel):
    driver: Literal["grbl"]
    transport: TransportConfig
    baud_rate_bps: WholeNumber = Field(115200, gt=0, le=10_000_000)
    steps_per_mm: Number = Field(gt=0, le=1e6, description="GRBL $100: motor steps/rev x microsteps / lead mm per rev")
    startup_wait_s: Number = Field(2.0, ge=0, le=MAX_STARTUP_WAIT_S, description="wait for the banner after open (board resets) [U]")
    min_feed_mm_per_min: Number = Field(1.0, gt=0, le=1e4, description="GRBL MINIMUM_FEED_RATE build constant (stock 1.0) [U]")
    motion_horizon_s: Number | None = Field(
        None, gt=0, le=86400, description="most motion (device seconds) GRBL may hold queued; a dead host's stepper stops "
                                          "within it. Default: three supervision periods of the run (hil.rig.motion_horizon) [SR-DRV-010]")


class HarvardPumpConfig(StrictModel):
    driver: Literal["harvard"]
    transport: TransportConfig
    address: WholeNumber = Field(0, ge=0, le=99)
    dialect: Literal["phd_ultra", "legato"] = Field(
        "phd_ultra", description="phd_ultra (PHD ULTRA, Pump 11 Elite: 12:cmd) or legato (KDS Legato: 12cmd)")
    baud_rate_bps: Literal[9600, 19200, 38400, 57600, 115200] = 115200
    text_line_address: bool = Field(True, description="reply text lines start with the pump address [U]")


PumpConfig = Annotated[Union[Ne1000PumpConfig, GrblPumpConfig, HarvardPumpConfig], Field(discriminator="driver")]


class SyringeConfig(StrictModel):
    diameter_mm: Number = Field(gt=0, le=50)
    volume_ul: Number = Field(gt=0, le=1e6)


class BalanceConfig(StrictModel):
    resource: str = Field(min_length=1, description="VISA resource, e.g. ASRL/dev/ttyUSB1::INSTR, or emulator:<name>")
    backend: str = Field("@py", description="pyvisa backend: @py, or <file>.yaml@sim for pyvisa-sim")
    protocol: Literal["mt-sics", "sartorius-sbi"] = "mt-sics"
    framing: Literal["7O1", "8N1"] | None = Field(None, description="sartorius-sbi only: the balance menu's data "
                                                   "bits/parity (default 8N1; legacy SBI 7O1) [U]")
    baud_rate_bps: WholeNumber = Field(9600, gt=0, le=10_000_000)
    timeout_s: Number = Field(2.0, ge=MIN_TIMEOUT_S, le=MAX_TIMEOUT_S)
    sample_interval_s: Number = Field(30.0, ge=MIN_BALANCE_SAMPLE_INTERVAL_S, le=86_400, description="IEC 60601-2-24 uses 30 s [U]")
    density_g_per_ml: Number = Field(WATER_DENSITY_G_PER_ML, ge=0.1, le=25)
    evaporation_rate_mg_per_h: Number = Field(0.0, ge=0, le=1e6, description="mass lost from the vessel, added back")

    @model_validator(mode="after")
    def _emulator_name_is_valid(self) -> "BalanceConfig":
        emulator_reference(self.resource)
        if self.framing is not None and self.protocol != "sartorius-sbi":
            raise ValueError(f"framing is for protocol sartorius-sbi only, not {self.protocol}")
        return self


BALANCE_EMULATOR_KINDS = {"mt-sics": "balance", "sartorius-sbi": "sartorius"}
"""balance.protocol -> the emulator kind that speaks it."""


class TimeCompressionConfig(StrictModel):
    allowed: bool = False
    max_factor: Number = Field(1.0, ge=1.0, le=10_000)

    @model_validator(mode="after")
    def _factor_only_when_allowed(self) -> "TimeCompressionConfig":
        if not self.allowed and self.max_factor != 1.0:
            raise ValueError("max_factor must be 1.0 when time compression is not allowed")
        return self


class EmulatorConfig(StrictModel):
    kind: Literal["ne1000", "grbl", "harvard", "balance", "sartorius"]
    linked_pump: Identifier | None = Field(None, description="balance only: the pump emulator it weighs")
    options: dict[Identifier, bool | WholeNumber | Number | str | None] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _balance_is_linked(self) -> "EmulatorConfig":
        is_balance = self.kind in BALANCE_EMULATOR_KINDS.values()
        if is_balance and self.linked_pump is None:
            raise ValueError("a balance emulator needs linked_pump: <name of a pump emulator>")
        if not is_balance and self.linked_pump is not None:
            raise ValueError(f"linked_pump is only for balance emulators, not {self.kind}")
        return self


class RigConfig(StrictModel):
    rig_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    description: str = ""
    clock: Literal["virtual", "wall"]
    pump: PumpConfig
    syringe: SyringeConfig
    balance: BalanceConfig | None = None
    max_rate_ul_per_h: Number = Field(gt=0, le=1e7, description="rig safety limit; faster commands are refused")
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
                problems += self._check_reference(("balance", "resource"), balance_emulator,
                                                  {BALANCE_EMULATOR_KINDS[self.balance.protocol]})
        for name, emulator in self.emulators.items():
            if emulator.linked_pump is not None:
                problems += self._check_reference(("emulators", name, "linked_pump"), emulator.linked_pump,
                                                  {"ne1000", "grbl", "harvard"})
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
