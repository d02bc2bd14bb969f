"""`itpump check FILE...`: validate rig, scenario and drug library files; prints OK or the located errors per file.

A scenario is checked with the drug library it uses (bundled or `library_file`) and its `limits_override`,
under the same bounds as `itpump run`; its overrides are listed under the OK line."""
from __future__ import annotations

import argparse
from pathlib import Path

from firmware_sim.requirements import REQUIREMENTS
from hil.config.drug_library import DrugLibraryEntry
from hil.config.drug_overrides import effective_limits
from hil.config.loading import ConfigError, load_yaml, validate_loaded
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.outputs.overrides import override_lines

FOLDER_KINDS = {"rigs": "rig", "scenarios": "scenario", "drugs": "drug"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate rig, scenario and drug library YAML files",
                                   description="Validate rig, scenario and drug library files (kind from the folder, "
                                               "rigs/, scenarios/ or drugs/, else from the content). Exit 0 if all "
                                               "are valid, 2 if not.")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--strict-requirements", action="store_true",
                        help="treat requirement IDs missing from firmware_sim/requirements.py as errors")
    parser.set_defaults(func=handle)


def config_kind(path: Path, data: object) -> str | None:
    if path.parent.name in FOLDER_KINDS:
        return FOLDER_KINDS[path.parent.name]
    if isinstance(data, dict):
        for key, kind in (("rig_id", "rig"), ("steps", "scenario"), ("drug_name", "drug")):
            if key in data:
                return kind
    return None


def check_file(path: Path, strict_requirements: bool) -> tuple[bool, str]:
    try:
        loaded = load_yaml(path)
        kind = config_kind(path, loaded.data)
        if kind is None:
            return False, (f"ERROR {path}: cannot tell whether this is a rig (has rig_id), a scenario (has steps) "
                           f"or a drug library (has drug_name)")
        if kind == "rig":
            rig = validate_loaded(loaded, RigConfig)
            return True, f"OK    {path} (rig {rig.rig_id})"
        if kind == "drug":
            drug = validate_loaded(loaded, DrugLibraryEntry)
            note = f"; acknowledged beyond label: {drug.acknowledge_beyond_label}" if drug.acknowledge_beyond_label else ""
            return True, f"OK    {path} (drug library {drug.drug_name}{note})"
        scenario = validate_loaded(loaded, ScenarioConfig)
    except ConfigError as exc:
        return False, f"ERROR {exc}"
    unknown = [rid for rid in scenario.all_requirement_ids() if rid not in REQUIREMENTS]
    message = f"OK    {path} (scenario {scenario.name}, {len(scenario.steps)} steps)"
    for line in override_lines(effective_limits(scenario.drug).record_fields()):
        message += f"\n      warning: {line}"
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
