"""Emulator options in a rig file are checked when the file is loaded: `itpump check` names file, key and line of a
bad or unknown option, for every device kind (hil.devices.catalog)."""
from __future__ import annotations

import pytest

from hil.cli.main import main
from hil.devices.catalog import CATALOG
from hil.paths import bench_configs_dir

RIGS = bench_configs_dir() / "rigs"
PUMP_RIGS = {"ne1000": "emulated-ne1000", "grbl": "emulated-grbl", "harvard": "emulated-harvard"}
BALANCE_RIGS = {"balance": "emulated-ne1000", "sartorius": "emulated-ne1000-sartorius"}
BAD_OPTIONS = {
    "ne1000": ("safe_mode_timeout_s", "300", "must be an integer 0..255"),
    "grbl": ("infuse_axis_sign", "2", "must be +1 or -1"),
    "harvard": ("dialect", "kds", "must be one of ('phd_ultra', 'legato')"),
    "balance": ("noise_sd_g", "-0.5", "must be a finite number >= 0"),
    "sartorius": ("line_format", "17", "must be one of"),
}


def _with_option(rig_text: str, emulator_name: str, kind: str, key: str, value: str) -> str:
    """The rig text with `key: value` as the first option of emulators.<emulator_name> (a block mapping)."""
    lines = rig_text.splitlines()
    at = lines.index(f"  {emulator_name}:")
    assert lines[at + 1] == f"    kind: {kind}"
    end = next((i for i in range(at + 1, len(lines)) if not lines[i].startswith("    ")), len(lines))
    block = lines[at + 2:end]
    options: dict[str, str] = {}
    for item in [entry for entry in block if entry.startswith("    options: {")]:
        options_text = item.split("{", 1)[1].split("}", 1)[0]
        options.update(dict(pair.split(": ") for pair in options_text.split(", ") if pair))
        block.remove(item)
    options_block = ["    options:", f"      {key}: {value}"] + [
        f"      {k}: {v}" for k, v in options.items() if k != key
    ]
    return "\n".join(lines[:at + 2] + options_block + block + lines[end:]) + "\n"


def _rig_for(kind: str) -> tuple[str, str]:
    if kind in PUMP_RIGS:
        return PUMP_RIGS[kind], "pump"
    return BALANCE_RIGS[kind], "balance"


def test_every_kind_has_a_bad_option_case():
    assert set(BAD_OPTIONS) == {entry.name for entry in CATALOG}


@pytest.mark.parametrize("kind", sorted(BAD_OPTIONS))
def test_bad_emulator_option_is_reported_with_file_key_and_line(kind, tmp_path, capsys):
    rig_name, emulator_name = _rig_for(kind)
    key, value, why = BAD_OPTIONS[kind]
    rig = tmp_path / "rig.yaml"
    rig.write_text(_with_option((RIGS / f"{rig_name}.yaml").read_text(), emulator_name, kind, key, value))
    assert main(["check", str(rig)]) == 2
    out = capsys.readouterr().out
    line = rig.read_text().splitlines().index(f"      {key}: {value}") + 1
    assert f"{rig}:{line}: emulators.{emulator_name}.options.{key}: " in out
    assert why in out


@pytest.mark.parametrize("kind", sorted(BAD_OPTIONS))
def test_unknown_emulator_option_is_reported_with_file_key_and_line(kind, tmp_path, capsys):
    rig_name, emulator_name = _rig_for(kind)
    rig = tmp_path / "rig.yaml"
    rig.write_text(_with_option((RIGS / f"{rig_name}.yaml").read_text(), emulator_name, kind, "colour", "blue"))
    assert main(["check", str(rig)]) == 2
    out = capsys.readouterr().out
    line = rig.read_text().splitlines().index("      colour: blue") + 1
    assert f"{rig}:{line}: emulators.{emulator_name}.options.colour: unknown option(s) ['colour'] for a {kind} " \
           f"emulator" in out


def test_a_value_the_rig_implies_is_reported_at_the_emulator(tmp_path, capsys):
    """The NE-1000 emulator cannot take a 0.05 mm syringe (its DIA range starts at 0.1 mm): the emulator is named."""
    rig = tmp_path / "rig.yaml"
    rig.write_text((RIGS / "emulated-ne1000.yaml").read_text().replace("diameter_mm: 14.43", "diameter_mm: 0.05"))
    assert main(["check", str(rig)]) == 2
    out = capsys.readouterr().out
    line = rig.read_text().splitlines().index("  pump:") + 1
    assert f"{rig}:{line}: emulators.pump: NE1000Config.syringe_diameter_mm=0.05: outside 0.1..50.0 mm" in out


@pytest.mark.parametrize("kind, key, value, why", [
    ("balance", "seed", '"abc"', "BalanceEmulatorConfig.seed='abc': must be an integer"),
    ("balance", "seed", "true", "BalanceEmulatorConfig.seed=True: must be an integer"),
    ("balance", "seed", "1e308", "BalanceEmulatorConfig.seed=1e+308: must be an integer"),
    ("balance", "byte_timing", "1", "BalanceEmulatorConfig.byte_timing=1: must be true or false"),
    ("grbl", "byte_timing", '"yes"', "GrblConfig.byte_timing='yes': must be true or false"),
    ("ne1000", "baud", "19200.5", "NE1000Config.baud=19200.5: must be an integer"),
])
def test_an_option_of_another_type_than_its_field_is_refused_at_load(kind, key, value, why, tmp_path, capsys):
    """A string, a boolean or 1e308 as the balance's integer seed passed `itpump check` and failed only when the
    emulator was built, if at all."""
    rig_name, emulator_name = _rig_for(kind)
    rig = tmp_path / "rig.yaml"
    rig.write_text(_with_option((RIGS / f"{rig_name}.yaml").read_text(), emulator_name, kind, key, value))
    assert main(["check", str(rig)]) == 2
    out = capsys.readouterr().out
    line = rig.read_text().splitlines().index(f"      {key}: {value}") + 1
    assert f"{rig}:{line}: emulators.{emulator_name}.options.{key}: {why}" in out
