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


def _with_fault(tmp_path, fault_step: str):
    text = (bench_configs_dir() / "campaigns" / "scenarios" / "campaign-short-continuous.yaml").read_text()
    path = tmp_path / "with-fault.yaml"
    last = "  - {at_h: 3.0, action: wait}\n"
    path.write_text(text.replace(last, f"  - {fault_step}\n{last}"))
    return path


def test_with_a_rig_fault_steps_are_judged_as_the_run_on_it_would(tmp_path, capsys):
    bad = _with_fault(tmp_path, "{at_h: 1.5, action: inject_fault, device: pump, fault: drop_bytes, "
                                "params: {cnt: 5}}")
    assert main(["check", str(bad)]) == 0  # without a rig the device kind is unknown: said, not judged
    assert "give --rig to judge them" in capsys.readouterr().out
    assert main(["check", str(bad), "--rig", "emulated-ne1000"]) == 2
    line = bad.read_text().splitlines().index("  - {at_h: 1.5, action: inject_fault, device: pump, fault: drop_bytes, "
                                              "params: {cnt: 5}}") + 1  # the error names the file and the line
    assert (f"{bad}:{line}: steps[2].params: fault 'drop_bytes': unknown parameter(s) ['cnt']; allowed: ['count', "
            "'direction', 'skip_bytes'] ('pump' on rig emulated-ne1000)") in capsys.readouterr().out
    assert main(["run", str(bad), "--out", str(tmp_path / "run")]) == 2
    assert f"{bad}:{line}: steps[2].params: fault 'drop_bytes'" in capsys.readouterr().err
    wrong_device = _with_fault(tmp_path, "{at_h: 1.5, action: inject_fault, device: balance, fault: stall}")
    assert main(["check", str(wrong_device), "--rig", "emulated-ne1000"]) == 2
    assert ("steps[2].fault: a balance emulator ('balance' on rig emulated-ne1000) has no fault 'stall'"
            in capsys.readouterr().out)
    good = _with_fault(tmp_path, "{at_h: 1.5, action: inject_fault, device: pump, fault: stall}")
    assert main(["check", str(good), "--rig", "emulated-ne1000"]) == 0
    assert main(["check", str(good), "--rig", "no-such-rig"]) == 2
    assert "rig not found" in capsys.readouterr().err


def test_at_s_among_a_fault_steps_params_is_bad_input_not_a_crash(tmp_path, capsys):
    """It collided with the trial injection's own at_s: a TypeError traceback and exit 3 from check --rig and run."""
    bad = _with_fault(tmp_path, "{at_h: 1.5, action: inject_fault, device: pump, fault: stall, params: {at_s: 9}}")
    assert main(["check", str(bad), "--rig", "emulated-ne1000"]) == 2
    out = capsys.readouterr().out
    assert "steps.2.params" in out.replace("[", ".").replace("]", "") and "injected at its at_h" in out
    assert main(["run", str(bad), "--rig", "emulated-ne1000", "--out", str(tmp_path / "run")]) == 2
    assert "injected at its at_h" in capsys.readouterr().err


def test_a_starting_concentration_the_library_does_not_list_fails_the_scenario(tmp_path, capsys):
    text = (bench_configs_dir() / "campaigns" / "scenarios" / "campaign-short-continuous.yaml").read_text()
    assert "conc_mcg_per_ml: 2000" in text
    scenario = tmp_path / "conc.yaml"
    scenario.write_text(text.replace("conc_mcg_per_ml: 2000", "conc_mcg_per_ml: 2"))
    assert main(["check", str(scenario)]) == 2
    line = next(i for i, x in enumerate(scenario.read_text().splitlines(), 1) if "conc_mcg_per_ml: 2" in x)
    assert (f"{scenario}:{line}: drug.conc_mcg_per_ml: concentration 2.0 mcg/mL is not in the baclofen library "
            "[50.0, 500.0, 1000.0, 2000.0] mcg/mL: the run's set-up refill would be refused [SR-DOSE-004]"
            ) in capsys.readouterr().out


def test_an_unknown_rig_feature_is_refused_with_its_line(tmp_path, capsys):
    rig = tmp_path / "rig.yaml"
    text = (bench_configs_dir() / "rigs" / "emulated-ne1000.yaml").read_text()
    rig.write_text(text.replace("features: [balance, fault_injection]", "features: [balance, teleport]"))
    assert main(["check", str(rig)]) == 2
    line = next(i for i, x in enumerate(rig.read_text().splitlines(), 1) if x.startswith("features:"))
    assert f"{rig}:{line}: features[1]: Input should be 'balance' or 'fault_injection' (got 'teleport')" in (
        capsys.readouterr().out)
