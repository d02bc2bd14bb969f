"""The emulator factory every kind shares: options checked against its config type, a balance linked to its pump."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from hil.devices.emulator_options import EmulatorOptionsError, emulator_config
from hil.devices.kind import DeviceKind, Role
from hil.emulators.syringe import SyringeEmulatorConfig, initial_fill_ul

if TYPE_CHECKING:
    from hil.devices.context import BuildContext


def build_emulator(kind: DeviceKind, name: str, ctx: BuildContext) -> Any:
    """The emulator `emulators.<name>` of this kind, not started (a balance needs its linked pump started)."""
    from hil.rig.errors import RigError  # hil.rig imports the rig schema, which imports the catalog

    emulator = ctx.config.emulators[name]
    source: tuple[Any, ...] = ()
    if kind.role is Role.BALANCE:
        linked = ctx.emulators.get(emulator.linked_pump or "")
        if linked is None:
            raise RigError(f"emulators.{name}.linked_pump: pump emulator {emulator.linked_pump!r} is not started "
                           f"(declare it before the balance)")
        source = (linked,)  # the pump itself: the balance follows its outflow breakpoints exactly
    try:
        config = emulator_config(kind, ctx.config, ctx.fill_ul, emulator.options)
    except EmulatorOptionsError as exc:
        raise RigError(f"emulators.{name}{'.options' if exc.unknown else ''}: {exc}") from exc
    return kind.emulator_class(ctx.emulator_clock, *source, config)


def describe_syringe(emulator: Any) -> str:
    """The syringe a pump emulator emulates (its options' diameter, volume, fill)."""
    config: SyringeEmulatorConfig = emulator.config
    return (f"emulates a syringe of {config.syringe_diameter_mm:g} mm inner diameter and "
            f"{config.syringe_volume_ul:g} uL, filled with {initial_fill_ul(config):g} uL")


def pump_emulator_base(pump_config: type, **from_pump: str) -> Callable[[Any, float], dict[str, Any]]:
    """emulator_base of a pump kind: the rig's syringe (diameter, volume, fill), and when the rig's pump section is a
    `pump_config`, its fields named by from_pump (emulator option -> pump section field)."""
    def base(rig: Any, fill_ul: float) -> dict[str, Any]:
        options = {"syringe_diameter_mm": rig.syringe.diameter_mm, "syringe_volume_ul": rig.syringe.volume_ul,
                   "fill_volume_ul": fill_ul}
        if isinstance(rig.pump, pump_config):
            options.update({option: getattr(rig.pump, name) for option, name in from_pump.items()})
        return options
    return base
