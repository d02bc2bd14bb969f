"""Run itpump commands in-process and check their JSON against docs/schema (the JSON output tests)."""
from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hil.cli.main import main
from hil.results.schemas import SCHEMA_DIR, file_name


def load_validators() -> dict[str, Draft202012Validator]:
    out = {}
    for path in SCHEMA_DIR.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        out[path.name.removesuffix(".schema.json")] = Draft202012Validator(schema)
    return out


def validate(validators: dict[str, Draft202012Validator], name: str, data: Any) -> None:
    assert name in validators, f"no committed {file_name(name)}"
    errors = sorted(validators[name].iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def run_cli(*argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `itpump ARGV` in this process; argparse's SystemExit is a return too."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return int(code), out.getvalue(), err.getvalue()


def one_json_object(stdout: str) -> dict:
    lines = stdout.strip().splitlines()
    assert len(lines) == 1, stdout[:2000]
    data = json.loads(lines[0], parse_constant=lambda name: pytest.fail(f"{name} in JSON output"))
    assert isinstance(data, dict)
    return data
