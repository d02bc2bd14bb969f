"""A `.nan` in a config file is named as what it is: NaN compares false with every bound, so the first bound checked
used to report it ("patient.weight_kg: Input should be less than or equal to 250 (got nan)")."""
from __future__ import annotations

import pytest

from hil.cli.main import main
from hil.paths import bench_configs_dir

SCENARIO = bench_configs_dir() / "scenarios" / "ptm-use.yaml"


@pytest.mark.requirements("SR-CFG-001")
@pytest.mark.parametrize(("old", "new", "key"), [
    ("weight_kg: 68", "weight_kg: .nan", "patient.weight_kg"),
    ("weight_kg: 68", "weight_kg: .inf", "patient.weight_kg"),
    ("duration_h: ", "duration_h: .nan #", "duration_h"),
])
def test_a_value_that_is_not_a_finite_number_is_named_so(tmp_path, capsys, old, new, key):
    text = SCENARIO.read_text()
    assert old in text
    path = tmp_path / "scenario.yaml"
    path.write_text(text.replace(old, new, 1))
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"{key}: Input should be a finite number (got " in out
    assert "less than" not in out and "greater than" not in out
