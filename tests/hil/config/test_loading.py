"""Every class of bad configuration gives an error naming the file, the key path and the line."""
from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from hil.config.loading import ConfigError, ConfigPath, load_model, load_yaml


class Syringe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    diameter_mm: float
    volume_ul: float


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    syringe: Syringe
    data_file: ConfigPath | None = None


def write(tmp_path: Path, text: str, name: str = "sample.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def only_issue(exc: ConfigError):
    assert len(exc.issues) == 1, exc.issues
    return exc.issues[0]


def test_valid_file_loads(tmp_path):
    path = write(tmp_path, "name: a\nsyringe:\n  diameter_mm: 14.43\n  volume_ul: 10000\n")
    model = load_model(path, Sample)
    assert model.syringe.diameter_mm == 14.43


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "name: a\nsyringe:\n  diameter_mm: [14.43\n  volume_ul: 1\n")
    with pytest.raises(ConfigError) as info:
        load_model(path, Sample)
    issue = only_issue(info.value)
    assert "YAML syntax error" in issue.message
    assert issue.line in (3, 4, 5)
    assert str(path) in str(info.value)


def test_unknown_key_names_key_path_and_line(tmp_path):
    path = write(tmp_path, "name: a\nsyringe:\n  diameter_mm: 14.43\n  volume_ul: 1\n  diamter_mm: 3\n")
    with pytest.raises(ConfigError) as info:
        load_model(path, Sample)
    issue = only_issue(info.value)
    assert issue.dotted_key == "syringe.diamter_mm"
    assert issue.line == 5
    assert "unknown key" in issue.message
    assert f"{path}:5: syringe.diamter_mm" in str(info.value)


def test_missing_key_names_the_key_and_the_parent_line(tmp_path):
    path = write(tmp_path, "name: a\nsyringe:\n  diameter_mm: 14.43\n")
    with pytest.raises(ConfigError) as info:
        load_model(path, Sample)
    issue = only_issue(info.value)
    assert issue.dotted_key == "syringe.volume_ul"
    assert issue.line == 2
    assert "missing" in issue.message


def test_wrong_type_names_value_line(tmp_path):
    path = write(tmp_path, "name: a\nsyringe:\n  diameter_mm: wide\n  volume_ul: 1\n")
    with pytest.raises(ConfigError) as info:
        load_model(path, Sample)
    issue = only_issue(info.value)
    assert issue.dotted_key == "syringe.diameter_mm"
    assert issue.line == 3
    assert "'wide'" in issue.message


def test_duplicate_key_is_an_error(tmp_path):
    path = write(tmp_path, "name: a\nname: b\nsyringe: {diameter_mm: 1, volume_ul: 1}\n")
    with pytest.raises(ConfigError) as info:
        load_model(path, Sample)
    issue = only_issue(info.value)
    assert (issue.dotted_key, issue.line) == ("name", 2)


def test_itpump_variable_is_substituted(tmp_path):
    path = write(tmp_path, "name: rig-${ITPUMP_SUFFIX}\nsyringe: {diameter_mm: '${ITPUMP_D}', volume_ul: 1}\n")
    model = load_model(path, Sample, environ={"ITPUMP_SUFFIX": "7", "ITPUMP_D": "4.5"})
    assert model.name == "rig-7"
    assert model.syringe.diameter_mm == 4.5


def test_dollar_dollar_is_a_literal_dollar(tmp_path):
    path = write(tmp_path, "name: cost$$5\nsyringe: {diameter_mm: 1, volume_ul: 1}\n")
    assert load_model(path, Sample, environ={}).name == "cost$5"


def test_non_prefixed_variable_is_rejected_by_name(tmp_path):
    path = write(tmp_path, "name: ${HOME}\nsyringe: {diameter_mm: 1, volume_ul: 1}\n")
    with pytest.raises(ConfigError) as info:
        load_model(path, Sample, environ={"HOME": "/root"})
    issue = only_issue(info.value)
    assert "HOME" in issue.message and "ITPUMP_" in issue.message
    assert (issue.dotted_key, issue.line) == ("name", 1)


def test_unset_prefixed_variable_is_rejected_by_name(tmp_path):
    path = write(tmp_path, "name: a\nsyringe: {diameter_mm: 1, volume_ul: 1}\ndata_file: ${ITPUMP_NOPE}\n")
    with pytest.raises(ConfigError) as info:
        load_model(path, Sample, environ={})
    issue = only_issue(info.value)
    assert "ITPUMP_NOPE is not set" in issue.message
    assert issue.line == 3


def test_relative_path_resolves_against_the_file(tmp_path):
    sub = tmp_path / "rigs"
    sub.mkdir()
    path = write(sub, "name: a\nsyringe: {diameter_mm: 1, volume_ul: 1}\ndata_file: ../data/x.csv\n")
    model = load_model(path, Sample)
    assert model.data_file == (tmp_path / "data" / "x.csv").resolve()


def test_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read file"):
        load_model(tmp_path / "absent.yaml", Sample)


def test_line_map_covers_sequence_items(tmp_path):
    path = write(tmp_path, "steps:\n  - a: 1\n  - a: 2\n")
    loaded = load_yaml(path, environ={})
    assert loaded.line_of(("steps", 1)) == 3
    assert loaded.line_of(("steps", 1, "a")) == 3


def test_unset_prefixed_variable_with_default_uses_the_default(tmp_path):
    path = write(tmp_path, "name: ${ITPUMP_NAME:-fallback}\nsyringe: {diameter_mm: 1, volume_ul: 1}\n")
    assert load_model(path, Sample, environ={}).name == "fallback"
    assert load_model(path, Sample, environ={"ITPUMP_NAME": "set"}).name == "set"


def test_non_prefixed_variable_with_default_is_still_rejected(tmp_path):
    path = write(tmp_path, "name: ${USER:-x}\nsyringe: {diameter_mm: 1, volume_ul: 1}\n")
    with pytest.raises(ConfigError, match=r"\$\{USER\} is not allowed"):
        load_model(path, Sample, environ={})
