"""The JSON Schemas of every JSON output, generated from the result models (docs/schema/*.schema.json).

    python -m hil.results.schemas            # write them into docs/schema/
    python -m hil.results.schemas --check    # exit 1 if the committed ones differ from the models
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from hil.results.check import CheckResult
from hil.results.error import ErrorResult
from hil.results.fuzz import FuzzResult
from hil.results.prediction import PREDICTION_ADAPTER
from hil.results.run import RunResult, RunSummary
from hil.results.trumpet import TrumpetReport

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

SCHEMAS: dict[str, tuple[TypeAdapter, str]] = {
    "run-result": (TypeAdapter(RunResult), "`itpump run --json` and `itpump report --json`"),
    "summary": (TypeAdapter(RunSummary), "summary.json of a run folder"),
    "prediction": (PREDICTION_ADAPTER, "`itpump predict --json`"),
    "check-result": (TypeAdapter(CheckResult), "`itpump check --json`"),
    "trumpet-result": (TypeAdapter(TrumpetReport), "`itpump trumpet --json`"),
    "error": (TypeAdapter(ErrorResult), "the error object of every command under --json"),
    "fuzz-result": (TypeAdapter(FuzzResult), "`itpump fuzz --json`"),
}


def schema(name: str) -> dict[str, Any]:
    adapter, what = SCHEMAS[name]
    generated = adapter.json_schema(mode="serialization")
    about = generated.pop("description", "")
    return {"$schema": DIALECT, "$id": f"{name}.schema.json", **generated,
            "description": f"{about or what} (generated from hil.results by `python -m hil.results.schemas`; "
                           f"do not edit)"}


def schema_text(name: str) -> str:
    return json.dumps(schema(name), indent=2, sort_keys=True, allow_nan=False) + "\n"


def file_name(name: str) -> str:
    return f"{name}.schema.json"


def write_all(folder: Path = SCHEMA_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = folder / file_name(name)
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written


def stale(folder: Path = SCHEMA_DIR) -> list[str]:
    """Schema files that are missing or differ from what the models generate."""
    out = []
    for name in SCHEMAS:
        path = folder / file_name(name)
        if not path.is_file() or path.read_text(encoding="utf-8") != schema_text(name):
            out.append(str(path))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hil.results.schemas", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=SCHEMA_DIR, help=f"folder (default {SCHEMA_DIR})")
    args = parser.parse_args(argv)
    if args.check:
        differ = stale(args.out)
        for path in differ:
            print(f"out of date: {path} (regenerate with python -m hil.results.schemas)", file=sys.stderr)
        return 1 if differ else 0
    for written in write_all(args.out):
        print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
