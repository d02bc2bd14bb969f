"""`itpump check FILE... [--json]`: validate rig, scenario and drug library files; prints PASS or the located errors
per file (FAIL).

A scenario is checked with the drug library it uses (bundled or `library_file`) and its `limits_override`,
under the same bounds as `itpump run`; its overrides are listed as warnings, and a starting concentration the library
does not list (the run's set-up refill would be refused, SR-DOSE-004) fails its validation, as in `itpump run`.
With `--rig RIG` (a path or a bundled rig name) its fault steps are judged as `itpump run` on that rig judges them:
the device, the fault and every parameter. Exit 0 when every file is valid, 2 (bad input, as on every command) when
one is not or a named file does not exist."""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from firmware_sim.outcome import Outcome, combine
from firmware_sim.requirements import REQUIREMENTS
from hil.cli.exit_codes import ExitCode
from hil.cli.json_output import fail, print_result
from hil.config.drug_library import DrugLibraryEntry
from hil.config.drug_overrides import effective_limits
from hil.config.loading import ConfigError, load_model, load_yaml, validate_loaded
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.config.scenario_steps import InjectFaultStep
from hil.outputs.overrides import override_lines
from hil.paths import bundled, not_found_message
from hil.rig.fault_params import scenario_fault_problems
from hil.results.check import CheckedFile, CheckResult
from hil.results.error import ErrorKind

FOLDER_KINDS = {"rigs": "rig", "scenarios": "scenario", "drugs": "drug"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate rig, scenario and drug library YAML files",
                                   description="Validate rig, scenario and drug library files (kind from the folder, "
                                               "rigs/, scenarios/ or drugs/, else from the content). Exit 0 if all "
                                               "are valid, 2 if one is not or a file does not exist.")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--strict-requirements", action="store_true",
                        help="treat requirement IDs missing from firmware_sim/requirements.py as errors")
    parser.add_argument("--rig", metavar="RIG",
                        help="also judge each scenario's fault steps as `itpump run` on this rig would (a rig file or "
                             "a bundled rig name)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (a result per file)")
    parser.set_defaults(func=handle)


def config_kind(path: Path, data: object) -> str | None:
    if path.parent.name in FOLDER_KINDS:
        return FOLDER_KINDS[path.parent.name]
    if isinstance(data, dict):
        for key, kind in (("rig_id", "rig"), ("steps", "scenario"), ("drug_name", "drug")):
            if key in data:
                return kind
    return None


def check_file(path: Path, strict_requirements: bool, rig: RigConfig | None = None) -> CheckedFile:
    kind = None
    try:
        loaded = load_yaml(path)
        kind = config_kind(path, loaded.data)
        if kind is None:
            return _failed(path, None, f"{path}: cannot tell whether this is a rig (has rig_id), a scenario (has "
                                       f"steps) or a drug library (has drug_name)")
        if kind == "rig":
            rig = validate_loaded(loaded, RigConfig)
            return _passed(path, kind, f"{path} (rig {rig.rig_id})")
        if kind == "drug":
            drug = validate_loaded(loaded, DrugLibraryEntry)
            note = (
                f"; acknowledged beyond label: {drug.acknowledge_beyond_label}" if drug.acknowledge_beyond_label else ""
            )
            return _passed(path, kind, f"{path} (drug library {drug.drug_name}{note})")
        scenario = validate_loaded(loaded, ScenarioConfig)
    except ConfigError as exc:
        return _failed(path, kind, str(exc))
    unknown = [rid for rid in scenario.all_requirement_ids() if rid not in REQUIREMENTS]
    limits = effective_limits(scenario.drug)
    warnings = list(override_lines(limits.record_fields()))
    if scenario.patient.acknowledge_beyond_label:
        warnings.append(f"patient outside the label's population, acknowledged: "
                        f"{scenario.patient.acknowledge_beyond_label}")
    problems = scenario_fault_problems(scenario, rig, path) if rig is not None else []
    if rig is None and any(isinstance(step, InjectFaultStep) for step in scenario.steps):
        warnings.append("its fault steps' devices and parameters were not judged: give --rig to judge them as "
                        "itpump run on that rig would")
    if problems:
        return _failed(path, "scenario", "\n      ".join(problems), warnings)
    if unknown:
        note = f"requirement IDs not in firmware_sim/requirements.py: {', '.join(unknown)}"
        if strict_requirements:
            return _failed(path, "scenario", f"{path}: {note}", warnings)
        warnings.append(note)
    return _passed(path, "scenario", f"{path} (scenario {scenario.name}, {len(scenario.steps)} steps)", warnings)


def _passed(path: Path, kind: str, message: str, warnings: Sequence[str] = ()) -> CheckedFile:
    return CheckedFile(path=str(path), kind=kind, outcome=Outcome.PASS, message=message, warnings=tuple(warnings))


def _failed(path: Path, kind: str | None, message: str, warnings: Sequence[str] = ()) -> CheckedFile:
    return CheckedFile(path=str(path), kind=kind, outcome=Outcome.FAIL, message=message, warnings=tuple(warnings))


def format_file(checked: CheckedFile) -> str:
    lines = [f"{checked.outcome.value:5s} {checked.message}"]
    lines += [f"      warning: {warning}" for warning in checked.warnings]
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    missing = [str(path) for path in args.files if not path.exists()]
    if missing:
        return fail(args, ErrorKind.BAD_INPUT, f"no such file: {', '.join(missing)}")
    rig = None
    if args.rig is not None:
        rig_path = bundled("rigs", args.rig)
        if not rig_path.is_file():
            return fail(args, ErrorKind.BAD_INPUT, not_found_message("rig", rig_path))
        try:
            rig = load_model(rig_path, RigConfig)
        except ConfigError as exc:
            return fail(args, ErrorKind.BAD_INPUT, f"--rig: {exc}")
    files = tuple(check_file(path, args.strict_requirements, rig) for path in args.files)
    result = CheckResult(outcome=combine(f.outcome for f in files), files=files)
    if args.json:
        print_result(result)
    else:
        for checked in files:
            print(format_file(checked))
    return ExitCode.PASS if result.outcome is Outcome.PASS else ExitCode.BAD_INPUT  # an invalid config is bad input
