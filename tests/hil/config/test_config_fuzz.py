"""Fuzz: hostile config files through the real loader and through `itpump check` in a child process.

Whatever the bytes, loading ends in a valid model or a ConfigError (never another exception), and `itpump check`
exits 0 or 2 without a traceback, under a memory limit.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hil.config.drug_library import DrugLibraryEntry
from hil.config.loading import ConfigError, load_model
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.paths import bench_configs_dir

pytestmark = [pytest.mark.requirements("SR-CFG-004"), pytest.mark.timeout(300)]

SEEDS = {"scenario": (bench_configs_dir() / "scenarios" / "ptm-use.yaml", ScenarioConfig),
         "flex": (bench_configs_dir() / "scenarios" / "adult-maintenance-flex.yaml", ScenarioConfig),
         "rig": (bench_configs_dir() / "rigs" / "emulated-grbl.yaml", RigConfig),
         "drug": (bench_configs_dir() / "drugs" / "baclofen.yaml", DrugLibraryEntry)}
HOSTILE_NUMBERS = ["true", "false", ".inf", "-.inf", ".nan", "1e999", "-1e999", "5e-324", "1e-6", "0", "-1",
                   "1e300", "'1e400'", "null", "[]", "{}", "*x", "!!binary aGk="]
NUMBER = re.compile(rb"(?<=: )-?[0-9]+(\.[0-9]+)?")


def alias_document(levels: int, width: int) -> bytes:
    lines = ["a0: &a0 [" + ", ".join(["1"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return ("\n".join(lines) + "\n").encode()


@st.composite
def hostile_file(draw) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(sorted(SEEDS)))
    text = SEEDS[kind][0].read_bytes()
    how = draw(st.sampled_from(["random", "mutate", "number", "alias", "encode"]))
    if how == "random":
        return draw(st.binary(max_size=400)), kind
    if how == "alias":
        return alias_document(draw(st.integers(1, 12)), draw(st.integers(1, 12))), kind
    if how == "encode":
        codec = draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "utf-16-be"]))
        return text.decode().replace("mcg", "µg").encode(codec), kind
    if how == "number":
        matches = list(NUMBER.finditer(text))
        for _ in range(draw(st.integers(1, 3))):
            m = matches[draw(st.integers(0, len(matches) - 1))]
            value = draw(st.sampled_from(HOSTILE_NUMBERS)).encode()
            text = text[:m.start()] + value + text[m.end():]
            matches = list(NUMBER.finditer(text))
        return b"x: &x 1\n" + text if b"*x" in text else text, kind
    for _ in range(draw(st.integers(1, 5))):  # byte mutations: replace, insert, delete
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["replace", "insert", "delete"]))
        chunk = draw(st.binary(min_size=1, max_size=4) | st.sampled_from([b"\x00", b"\n  ", b"&a ", b"*a", b"[", b"{",
                                                                          b": ", b"- ", b"\t", b"\xff", b"!!"]))
        if op == "replace":
            text = text[:at] + chunk + text[at + len(chunk):]
        elif op == "insert":
            text = text[:at] + chunk + text[at:]
        else:
            text = text[:at] + text[at + len(chunk):]
    return text, kind


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_file())
def test_the_loader_only_ever_accepts_or_raises_config_error(sample):
    data, kind = sample
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yaml"
        path.write_bytes(data)
        try:
            load_model(path, SEEDS[kind][1], environ={})
        except ConfigError as exc:
            assert exc.issues and str(path) in str(exc)


def _limit_memory() -> None:  # child process only
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is the memory bound")
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(hostile_file(), min_size=4, max_size=6))
def test_itpump_check_exits_0_or_2_without_a_traceback(samples):
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for index, (data, kind) in enumerate(samples):
            path = Path(folder) / f"{index}-{kind}.yaml"
            path.write_bytes(data)
            files.append(str(path))
        bomb = Path(folder) / "bomb.yaml"
        bomb.write_bytes(alias_document(9, 9))
        files.append(str(bomb))
        done = subprocess.run([sys.executable, "-m", "hil.cli.main", "check", *files], capture_output=True,
                              text=True, errors="replace", timeout=120, preexec_fn=_limit_memory)
    assert done.returncode in (0, 2), done.stderr[-2000:]
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stdout.count("\nPASS ") + done.stdout.count("\nFAIL ") + 1 >= len(files)
