"""`itpump report` on a damaged record: ERROR naming the damage by line, whatever is readable still rendered,
never a traceback, never PASS unless the record is exactly as the run wrote it."""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hil.cli.main import main
from scenario_yaml import NO_OCCLUSION, adult_scenario_yaml

REPO = Path(__file__).resolve().parents[3]
SHORT_SCENARIO = adult_scenario_yaml("short-overdose-rejected", 2.0, [
    "{at_h: 0.0, action: prime}",
    "{at_h: 1.0, action: start_continuous, rate_mcg_per_day: 500, expect: {decision: approved}}",
    "{at_h: 1.5, action: change_rate, rate_mcg_per_day: 5000, expect: {decision: rejected}}",
    "{at_h: 2.0, action: wait}",
], expectations=NO_OCCLUSION)


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real PASS run folder on the emulated NE-1000 rig."""
    folder = tmp_path_factory.mktemp("real")
    scenario = folder / "short.yaml"
    scenario.write_text(SHORT_SCENARIO, encoding="utf-8")
    rig = REPO / "bench_configs" / "rigs" / "emulated-ne1000.yaml"
    assert main(["run", str(scenario), "--rig", str(rig), "--out", str(folder / "run"), "--json"]) == 0
    return folder / "run"


def report(run_dir: Path, capsys: pytest.CaptureFixture) -> tuple[int, str, dict]:
    code = main(["report", str(run_dir)])
    out = capsys.readouterr().out
    return code, out.splitlines()[0], json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))


def damaged_copy(real_run: Path, into: Path, change) -> Path:  # noqa: ANN001
    run_dir = into / "run"
    run_dir.mkdir()
    lines = (real_run / "record.jsonl").read_bytes().split(b"\n")[:-1]
    (run_dir / "record.jsonl").write_bytes(change(lines))
    return run_dir


def test_the_real_record_is_intact_and_renders_pass(real_run: Path, capsys) -> None:
    code, first, summary = report(real_run, capsys)
    assert (code, summary["outcome"], summary["record_damage"]) == (0, "PASS", [])
    assert first.startswith("PASS")


def test_a_byte_that_is_not_utf8_is_named_by_line_and_the_rest_renders(real_run: Path, tmp_path: Path,
                                                                         capsys) -> None:
    run_dir = damaged_copy(real_run, tmp_path,
                           lambda lines: b"\n".join(lines[:3] + [lines[3][:20] + b"\xff" + lines[3][21:]] + lines[4:])
                           + b"\n")
    code, first, summary = report(run_dir, capsys)
    assert code == 3 and first.startswith("ERROR: the record is damaged (1 problem(s)): line 4: not UTF-8 text")
    assert summary["record_damage"] == ["line 4: not UTF-8 text (byte 0xff at column 21)"]
    assert "recorded verdict PASS" in summary["reason"]
    assert summary["steps"] and summary["envelopes"]  # the readable rest is still rendered
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "Record damage" in html and "line 4: not UTF-8 text" in html


def test_a_record_without_run_started_is_error_not_pass(real_run: Path, tmp_path: Path, capsys) -> None:
    run_dir = damaged_copy(real_run, tmp_path, lambda lines: b"\n".join(lines[1:]) + b"\n")
    code, _first, summary = report(run_dir, capsys)
    assert code == 3 and summary["outcome"] == "ERROR"
    assert "line 1: the record does not begin with run_started" in summary["record_damage"]
    assert summary["provenance"] is None and summary["steps"]


@pytest.mark.parametrize("change, named", [
    (lambda lines: b"\n".join(lines)[:-7], "cut short"),
    (lambda lines: b"\n".join(lines[:-1]) + b"\n", "ends without run_finished"),
    (lambda lines: b"\n".join(lines[:2] + [b'{"event":"tea_break","t_s":1}'] + lines[2:]) + b"\n",
     "unknown event kind 'tea_break'"),
    (lambda lines: b"\n".join(lines[:2] + [b'"just a string"', b"17"] + lines[2:]) + b"\n",
     "a JSON str, not an object"),
    (lambda lines: b"\n".join(lines[:-1] + [lines[-1].replace(b'"reason":"', b'"reason":7,"x":"')]) + b"\n",
     "run_finished field reason is 7, not a string"),
    (lambda lines: b"\n".join(re.sub(rb'("oral_peak_plasma_ng_per_ml":\d+)\.', rb"\1E", line, count=1)
                               for line in lines) + b"\n",
     "is not finite (a writer never writes one)"),  # a digit turned into an E: a value past the float range
])
def test_other_damage_renders_as_error_naming_it(real_run: Path, tmp_path: Path, capsys, change, named) -> None:
    run_dir = damaged_copy(real_run, tmp_path, change)
    code, _first, summary = report(run_dir, capsys)
    assert code == 3 and summary["outcome"] == "ERROR"
    assert named in summary["reason"]
    assert (run_dir / "report.html").is_file() and (run_dir / "junit.xml").is_file()


MUTATION = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("flip"), st.floats(0.0, 1.0), st.integers(1, 255)),
    st.tuples(st.just("drop"), st.floats(0.0, 1.0)),
    st.tuples(st.just("duplicate"), st.floats(0.0, 1.0)),
)


def mutate(data: bytes, mutations: list[tuple]) -> bytes:
    for mutation in mutations:
        kind, where = mutation[0], mutation[1]
        if kind in ("truncate", "flip"):
            position = min(int(where * len(data)), max(len(data) - 1, 0))
            if kind == "truncate":
                data = data[:position]
            elif data:
                data = data[:position] + bytes([data[position] ^ mutation[2]]) + data[position + 1:]
        else:
            lines = data.split(b"\n")
            index = min(int(where * len(lines)), len(lines) - 1)
            lines[index:index + 1] = [] if kind == "drop" else [lines[index], lines[index]]
            data = b"\n".join(lines)
    return data


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_report_never_crashes_and_says_pass_only_for_an_intact_record(real_run: Path, capsys, mutations) -> None:
    original = (real_run / "record.jsonl").read_bytes()
    damaged = mutate(original, mutations)
    with tempfile.TemporaryDirectory() as folder:
        run_dir = Path(folder) / "run"
        run_dir.mkdir()
        (run_dir / "record.jsonl").write_bytes(damaged)
        code = main(["report", str(run_dir)])  # an exception here fails the test: it would be a traceback
        first = capsys.readouterr().out.splitlines()[0]
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        assert (run_dir / "report.html").is_file()
    if damaged != original:
        assert code == 3 and first.startswith("ERROR") and summary["outcome"] == "ERROR", first
    else:
        assert code == 0 and summary["outcome"] == "PASS"


def test_the_damaged_copy_helper_leaves_the_real_record_alone(real_run: Path, tmp_path: Path) -> None:
    before = (real_run / "record.jsonl").read_bytes()
    damaged_copy(real_run, tmp_path, lambda lines: b"")
    shutil.rmtree(tmp_path / "run")
    assert (real_run / "record.jsonl").read_bytes() == before
