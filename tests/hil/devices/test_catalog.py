"""The device catalog is the one place that lists device kinds: every per-kind table is derived from it."""
from __future__ import annotations

import ast
import typing
from pathlib import Path

from firmware_sim.clock import VirtualClock
from hil.cli.emulate import describe
from hil.cli.main import build_parser
from hil.config.rig import BALANCE_EMULATOR_KINDS, BalanceRigConfig, EmulatorConfig, RigConfig
from hil.devices.catalog import CATALOG, balance_kinds, pump_kinds
from hil.devices.kind import Role
from hil.emulators.fault_catalog import FAULTS_BY_KIND
from hil.emulators.faults import LINK_FAULTS
from hil.rig import registry

ROOT = Path(__file__).resolve().parents[3]


def _literal_values(annotation: object) -> set[str]:
    return set(typing.get_args(annotation))


def _emulate_choices() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["emulate"]
    return set(next(a for a in sub._actions if a.dest == "device").choices)


def test_every_kind_reaches_config_emulate_faults_and_registry():
    names = {entry.name for entry in CATALOG}
    assert names == {"ne1000", "grbl", "harvard", "balance", "sartorius"}
    assert _literal_values(EmulatorConfig.model_fields["kind"].annotation) == names
    assert _emulate_choices() == names
    assert set(FAULTS_BY_KIND) == names
    assert set(registry.EMULATORS) == names == set(registry.EMULATOR_START_ORDER)
    for entry in CATALOG:
        assert FAULTS_BY_KIND[entry.name] == set(LINK_FAULTS) | set(entry.faults)
        assert registry.EMULATOR_START_ORDER[entry.name] == entry.start_order
    pump_models = typing.get_args(typing.get_args(RigConfig.model_fields["pump"].annotation)[0]) or \
        typing.get_args(RigConfig.model_fields["pump"].annotation)
    assert set(pump_models) == {entry.pump_config for entry in pump_kinds()}
    assert set(registry.PUMP_DRIVERS) == {entry.config_kind for entry in pump_kinds()}
    assert set(registry.BALANCE_PROTOCOLS) == {entry.config_kind for entry in balance_kinds()}
    assert _literal_values(BalanceRigConfig.model_fields["protocol"].annotation) == set(registry.BALANCE_PROTOCOLS)
    assert {entry.config_kind: entry.name for entry in balance_kinds()} == BALANCE_EMULATOR_KINDS
    assert registry.OPEN_LOOP_DRIVERS == {entry.config_kind for entry in CATALOG if entry.open_loop} == {"grbl"}
    assert all(entry.start_order < other.start_order for entry in pump_kinds() for other in balance_kinds())


def test_campaign_seeds_exactly_the_emulators_whose_options_take_a_seed():
    from hil.campaign.run_inputs import rig_document

    rig = {"emulators": {entry.name: {"kind": entry.name} for entry in CATALOG}}
    document = rig_document({"rig": {"document": rig}, "seed": 7})
    seeded = {name for name, emulator in document["emulators"].items() if "seed" in (emulator.get("options") or {})}
    assert seeded == {entry.name for entry in CATALOG if "seed" in entry.option_names}
    assert {"balance", "sartorius"} <= seeded


def _hand_lists(tree: ast.AST, kind_names: set[str]) -> list[int]:
    """Lines of tuple/list/set/dict literals (and subscripts such as Literal[...]) naming two or more kinds."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            elements = node.elts
        elif isinstance(node, ast.Dict):
            elements = [key for key in node.keys if key is not None]
        else:
            continue
        named = {e.value for e in elements if isinstance(e, ast.Constant) and e.value in kind_names}
        if len(named) >= 2:
            lines.append(node.lineno)
    return lines


def test_no_module_outside_the_catalog_lists_device_kinds_by_hand():
    kind_names = {entry.name for entry in CATALOG} | {entry.config_kind for entry in CATALOG}
    offenders = {}
    for path in sorted((ROOT / "hil").rglob("*.py")):
        if (ROOT / "hil" / "devices") in path.parents:
            continue
        lines = _hand_lists(ast.parse(path.read_text(), str(path)), kind_names)
        if lines:
            offenders[str(path.relative_to(ROOT))] = lines
    assert offenders == {}


def test_the_hand_list_check_finds_a_hand_written_table():
    kind_names = {entry.name for entry in CATALOG}
    assert _hand_lists(ast.parse('KINDS = {"ne1000": 0, "grbl": 0}\nx: Literal["balance", "sartorius"]'),
                       kind_names) == [1, 2]


def test_a_pump_kind_has_a_pump_model_and_a_balance_none():
    for entry in CATALOG:
        assert (entry.pump_config is not None) == (entry.role is Role.PUMP)


def test_every_kind_describes_its_emulator_from_its_own_entry():

    texts = {}
    for entry in CATALOG:
        config = entry.emulator_config_type()
        texts[entry.name] = describe(entry.name, entry.emulator_class(VirtualClock(), config=config))
        assert texts[entry.name].startswith(f"{entry.name} ") and ":" not in texts[entry.name]
    assert "; basic mode" in texts["ne1000"] or "; safe mode" in texts["ne1000"]
    assert "dialect, address" in texts["harvard"]
    assert texts["sartorius"].startswith("sartorius speaks Sartorius SBI")
    assert texts["grbl"].startswith("grbl emulates a syringe of")
    unlinked = "weighs no outflow (no emulated pump is linked to it, so nothing flows onto its pan)"
    assert texts["balance"] == f"balance {unlinked}"
    assert texts["sartorius"].endswith(f" and {unlinked}")


def test_a_balance_linked_to_a_pump_says_it_weighs_the_outflow_at_its_density():
    clock = VirtualClock()
    for entry in balance_kinds():
        pump = pump_kinds()[0].emulator_class(clock)
        balance = entry.emulator_class(clock, pump, entry.emulator_config_type(density_g_per_ml=0.998))
        text = describe(entry.name, balance)
        assert text.endswith("weighs the outflow at a density of 0.998 g/mL") and ":" not in text
