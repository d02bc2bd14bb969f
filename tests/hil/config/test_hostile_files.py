"""Hostile configuration files are refused with file, key and line, in bounded time and memory, never a traceback."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hil.cli.main import main
from hil.config import bounds
from hil.config.loading import ConfigError, load_model, load_yaml
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.paths import bench_configs_dir

pytestmark = pytest.mark.requirements("SR-CFG-004")

SCENARIO = bench_configs_dir() / "scenarios" / "ptm-use.yaml"
RIG = bench_configs_dir() / "rigs" / "emulated-ne1000.yaml"


def alias_bomb(levels: int) -> str:
    """The classic 'billion laughs': each level lists the previous one nine times."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def refused(path: Path, model=ScenarioConfig) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_model(path, model, environ={})
    assert info.value.file == path
    return info.value


def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(9))  # 9**10 strings if expanded
    assert len(path.read_bytes()) < 600
    error = refused(path)
    assert f"more than {bounds.MAX_N_YAML_EXPANDED_NODES} values" in str(error)


def test_many_aliases_are_refused_at_the_first_one_too_many(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text("x: &x 1\nlist: [" + ", ".join(["*x"] * (bounds.MAX_N_YAML_ALIASES + 1)) + "]\n")
    error = refused(path)
    assert f"more than {bounds.MAX_N_YAML_ALIASES} aliases" in str(error) and error.issues[0].line == 2


def test_few_aliases_still_load(tmp_path):
    text = SCENARIO.read_text().replace("patient:", "x-shared: &weight 70\npatient:", 1)
    path = tmp_path / "ptm-use.yaml"
    path.write_text(text)
    assert load_yaml(path, environ={}).data["x-shared"] == 70


def test_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [1, *a]\n")
    assert "recursive alias" in str(refused(path))


@pytest.mark.parametrize("text", ["x: " + "[" * 5000 + "]" * 5000 + "\n",
                                  "x: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n"], ids=["lists", "maps"])
def test_deep_nesting_is_refused(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    error = refused(path)
    assert f"nesting deeper than {bounds.MAX_YAML_DEPTH} levels" in str(error) and error.issues[0].line == 1


def test_deep_nesting_through_aliases_is_refused(tmp_path):
    chain = ["a0: &a0 " + "[" * 60 + "1" + "]" * 60]
    chain += [f"a{i}: &a{i} " + "[" * 60 + f"*a{i - 1}" + "]" * 60 for i in range(1, 40)]
    path = tmp_path / "deep-aliases.yaml"
    path.write_text("\n".join(chain) + "\n")
    assert "nests deeper than" in str(refused(path))


@pytest.mark.parametrize("data, message", [
    (b"name: \xff\xfe bad\n", "not UTF-8 text: invalid byte at offset 6"),
    ("name: t\n".encode("utf-16"), "UTF-16 encoded"),
    (b"name: t\nseed: 1\x00\n", "contains NUL bytes"),
], ids=["latin1", "utf16", "nul"])
def test_undecodable_files_name_the_file_not_the_bytes(tmp_path, data, message):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(data)
    error = refused(path)
    assert message in str(error) and "bad" not in str(error)


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as stream:
        stream.truncate(bounds.MAX_CONFIG_FILE_BYTES + 1)
    assert f"more than the {bounds.MAX_CONFIG_FILE_BYTES} bytes" in str(refused(path))


def _special_files(tmp_path: Path) -> dict[str, Path]:
    found = {"directory": tmp_path / "folder.yaml"}
    found["directory"].mkdir()
    if os.path.exists("/dev/zero"):
        found["device"] = Path("/dev/zero")
    if hasattr(os, "mkfifo"):
        found["fifo"] = tmp_path / "fifo.yaml"
        os.mkfifo(found["fifo"])
    return found


def test_non_regular_files_are_refused_without_blocking(tmp_path):
    for kind, path in _special_files(tmp_path).items():
        error = refused(path, RigConfig)
        assert "regular" in str(error) or "directory" in str(error), kind


def test_library_file_must_be_a_regular_yaml_file(tmp_path, capsys):
    for kind, target in _special_files(tmp_path).items():
        scenario = tmp_path / f"scenario-{kind}.yaml"
        scenario.write_text(SCENARIO.read_text().replace("conc_mcg_per_ml: 2000",
                                                         f"conc_mcg_per_ml: 2000, library_file: {target}", 1))
        line = next(i for i, text in enumerate(scenario.read_text().splitlines(), 1) if "library_file" in text)
        assert main(["check", str(scenario)]) == 2, kind
        out = capsys.readouterr().out
        assert f"{scenario}:{line}: drug.library_file: drug library {target} is invalid" in out, (kind, out)
        assert "Traceback" not in out


def test_library_file_contents_are_not_echoed(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2-very-secret\n")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO.read_text().replace("conc_mcg_per_ml: 2000",
                                                     f"conc_mcg_per_ml: 2000, library_file: {secret}", 1))
    assert main(["check", str(scenario)]) == 2
    out = capsys.readouterr().out
    assert f"drug library {secret} is invalid" in out and "not a drug library" in out
    assert "hunter2" not in out and "password" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="fifo and /dev/zero are POSIX")
def test_check_refuses_special_files_given_directly(tmp_path, capsys):
    for kind, path in _special_files(tmp_path).items():
        assert main(["check", str(path)]) == 2, kind
        assert f"FAIL  invalid configuration {path}" in capsys.readouterr().out


def test_shipped_configs_still_load():
    for path in [*sorted((bench_configs_dir() / "scenarios").glob("*.yaml")), RIG]:
        load_model(path, RigConfig if path == RIG else ScenarioConfig, environ={})


@pytest.mark.parametrize("command", [["check"], ["run", "--out", "run"]])
def test_an_integer_too_long_to_convert_is_refused_at_its_line(tmp_path, capsys, command, monkeypatch):
    """Python refuses to convert an integer of more than 4300 digits: check crashed (exit 3) and run named neither
    the file nor the line."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.read_text().replace("duration_h: 48", "duration_h: 1" + "0" * 4400))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("duration_h:"))
    assert main([command[0], str(path), *command[1:]]) == 2
    said = capsys.readouterr()
    assert f"{path}:{line}: (top level): an integer written with 4401 characters (at most 100)" in said.out + said.err
    path.write_text(SCENARIO.read_text().replace("duration_h: 48", "duration_h: 1" + "0" * 99))
    assert "at most 100" not in str(refused(path))  # 100 characters are read, then judged by the schema's bounds
