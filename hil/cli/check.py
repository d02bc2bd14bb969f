"""`itpump check FILE...`: validate rig and scenario files; prints OK or the located errors per file."""
from __future__ import annotations

import argparse
from pathlib import Path

from hil.config.loading import ConfigError, load_yaml, validate_loaded
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from firmware_sim.requirements import REQUIREMENTS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate rig and scenario YAML files",
                                   description="Validate rig and scenario files (kind from the folder, rigs/ or "
                                               "scenarios/, else from the content). Exit 0 if all are valid, 2 if not.")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--strict-requirements", action="store_true",
                        help="treat requirement IDs missing from firmware_sim/requirements.py as errors")
    parser.set_defaults(func=handle)


def config_kind(path: Path, data: object) -> str | None:
    if path.parent.name in ("rigs", "scenarios"):
        return "rig" if path.parent.name == "rigs" else "scenario"
    if isinstance(data, dict):
        if "rig_id" in data:
            return "rig"
        if "steps" in data:
            return "scenario"
    return None


def check_file(path: Path, strict_requirements: bool) -> tuple[bool, str]:
    try:
        loaded = load_yaml(path)
        kind = config_kind(path, loaded.data)
        if kind is None:
            return False, f"ERROR {path}: cannot tell whether this is a rig (has rig_id) or a scenario (has steps)"
        if kind == "rig":
            rig = validate_loaded(loaded, RigConfig)
            return True, f"OK    {path} (rig {rig.rig_id})"
        scenario = validate_loaded(loaded, ScenarioConfig)
    except ConfigError as exc:
        return False, f"ERROR {exc}"
    unknown = [rid for rid in scenario.all_requirement_ids() if rid not in REQUIREMENTS]
    message = f"OK    {path} (scenario {scenario.name}, {len(scenario.steps)} steps)"
    if unknown:
        note = f"requirement IDs not in firmware_sim/requirements.py: {', '.join(unknown)}"
        if strict_requirements:
            return False, f"ERROR {path}: {note}"
        message += f"\n      warning: {note}"
    return True, message


def handle(args: argparse.Namespace) -> int:
    all_ok = True
    for path in args.files:
        ok, message = check_file(path, args.strict_requirements)
        print(message)
        all_ok = all_ok and ok
    return 0 if all_ok else 2
