"""A balance lost during a run (its port gone, or garbled replies to the end) makes the run ERROR, exit 3, with the
verdict it would otherwise have had after the reason: the rig weighs the delivery so that the run is judged on what
left the pump, and its end was not weighed. A failing balance is read less and less often, so a virtual-time run does
not wait out a reply timeout at every later reading; one that recovers (an overload for a while) weighs everything
collected meanwhile and leaves the verdict alone."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from hil.cli.main import main
from hil.records import events as ev
from hil.records.reader import read_record

pytestmark = pytest.mark.timeout(180)
FAULTS = {
    "disconnect": "{at_h: 1.5, action: inject_fault, device: balance, fault: disconnect}",
    "garbled": ("{at_h: 1.5, action: inject_fault, device: balance, fault: corrupt_bytes, "
                "params: {count: 1000000, xor_mask: 128}}"),
    "overload": "{at_h: 1.5, action: inject_fault, device: balance, fault: overload, params: {duration_s: 900}}",
}


def _scenario(configs: Path, folder: Path, fault: str) -> Path:
    text = (configs / "campaigns" / "scenarios" / "campaign-short-continuous.yaml").read_text(encoding="utf-8")
    steps_end = "  - {at_h: 3.0, action: wait}\n"
    assert steps_end in text, "the bundled scenario's last step moved"
    path = folder / f"balance-{fault}.yaml"
    path.write_text(text.replace(steps_end, f"  - {FAULTS[fault]}\n{steps_end}"), encoding="utf-8")
    return path


@pytest.mark.requirements("SR-HIL-005")
@pytest.mark.parametrize("fault, why", [("disconnect", "its port gone (DeviceDisconnected"),
                                        ("garbled", "readings failed (the last at t=")])
def test_a_balance_lost_mid_run_makes_the_run_error_with_the_verdict_otherwise(
        bundled_configs: Path, tmp_path: Path, capsys: pytest.CaptureFixture, fault: str, why: str) -> None:
    out_dir = tmp_path / "run"
    code = main(["run", str(_scenario(bundled_configs, tmp_path, fault)), "--rig",
                 str(bundled_configs / "rigs" / "emulated-ne1000.yaml"), "--out", str(out_dir), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert (code, result["outcome"]) == (3, "ERROR"), result["reason"]
    assert result["reason"].startswith("the balance was lost ")
    assert why in result["reason"] and "The verdict otherwise: PASS: all 1 expectations met" in result["reason"]
    record = read_record(out_dir / "record.jsonl")
    assert record.intact and record.finished is not None and record.finished.outcome == "ERROR"
    weighed = [s.t_s for s in record.typed(ev.VolumeSample) if s.gravimetric_ul is not None]
    assert weighed and max(weighed) <= 1.6 * 3600  # nothing weighed after the fault


@pytest.mark.parametrize("rig", ["emulated-ne1000", "emulated-grbl"])
def test_a_balance_overloaded_for_a_while_comes_back_and_the_run_is_judged_as_usual(
        bundled_configs: Path, tmp_path: Path, capsys: pytest.CaptureFixture, rig: str) -> None:
    out_dir = tmp_path / "run"
    code = main(["run", str(_scenario(bundled_configs, tmp_path, "overload")), "--rig",
                 str(bundled_configs / "rigs" / f"{rig}.yaml"), "--out", str(out_dir), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert (code, result["outcome"]) == (0, "PASS"), result["reason"]
    assert "balance reading(s) failed" in result["reason"]  # said, not hidden
    final = read_record(out_dir / "record.jsonl").typed(ev.VolumeSample)[-1]
    assert final.after_pump_stop and final.gravimetric_ul == pytest.approx(final.pump_reported_ul, rel=0.02)
