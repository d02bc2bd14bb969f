"""`itpump check`: PASS per valid file, FAIL with the located error per bad file, exit 0 / 2 (an invalid config is
bad input)."""

from __future__ import annotations

from hil.cli.main import main
from hil.paths import bench_configs_dir


def test_shipped_rigs_check_ok(capsys):
    rigs = sorted(str(p) for p in (bench_configs_dir() / "rigs").glob("*.yaml"))
    assert main(["check", *rigs]) == 0
    out = capsys.readouterr().out
    assert out.count("PASS ") == len(rigs)


def test_bad_file_is_reported_with_line_and_exit_2(tmp_path, capsys):
    rig = tmp_path / "rig.yaml"
    rig.write_text((bench_configs_dir() / "rigs" / "emulated-ne1000.yaml").read_text().replace(
        "safe_mode: true", "safe_mode: true\n  safemode: false"))
    assert main(["check", str(rig)]) == 2
    out = capsys.readouterr().out
    line = rig.read_text().splitlines().index("  safemode: false") + 1
    assert f"{rig}:{line}: pump.safemode: unknown key" in out


def test_unknown_kind_is_an_error(tmp_path, capsys):
    other = tmp_path / "thing.yaml"
    other.write_text("hello: 1\n")
    assert main(["check", str(other)]) == 2
    assert "cannot tell whether" in capsys.readouterr().out
