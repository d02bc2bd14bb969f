"""The house conventions, checked on the source with `ast`: small modules, a unit in every public numeric name,
unit conversions only through firmware_sim/units.py. Each failure names file:line and the name."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("firmware_sim", "drivers", "hil")
MAX_MODULE_LINES = 300
UNITS_MODULE = ROOT / "firmware_sim" / "units.py"

UNIT_SUFFIXES = (
    # time
    "_s", "_ms", "_us", "_min", "_h", "_day", "_days", "_years",
    # volume, length, area, mass, amount
    "_ul", "_ml", "_l", "_mm", "_mm2", "_mm3", "_g", "_mg", "_mcg", "_ng", "_kg",
    # rates and concentrations
    "_ul_per_h", "_ul_per_s", "_ul_per_min", "_ml_per_h", "_ml_per_min", "_l_per_h", "_mg_per_h", "_mcg_per_h",
    "_mcg_per_day", "_mcg_per_ml", "_ng_per_ml", "_g_per_ml", "_mm_per_min", "_per_h", "_per_mm", "_per_day",
    # ratios, electrical and serial
    "_pct", "_percent", "_fraction", "_ratio", "_factor", "_hz", "_baud", "_bps", "_bytes", "_bits", "_chars",
    # counts: a count names what it counts (n_*, *_count, *_ticks ...)
    "_count", "_ticks", "_steps", "_samples", "_patients", "_periods", "_lines", "_digits", "_events", "_cases",
    "_frames", "_runs", "_blocks", "_writes", "_retries", "_attempts",
    # statistics of a parameter: unitless by definition
    "_cv", "_correlation", "_exponent",
    "_cm", "_per_cm", "_mm_per_h",
)
UNITLESS_PREFIXES = ("n_", "max_n_", "min_n_")
UNITLESS_NAMES = {
    # identities, seeds and positions: numbers without a physical unit
    "seed", "index", "address", "position", "level", "code", "version", "exit_code", "priority", "order",
    "attempt", "repetition", "rank", "axis_sign", "direction", "sign", "infuse_direction", "line_format",
    "steps_per_mm",          # a machine constant named for its unit already (steps per mm)
    "compression",           # time compression of a wall-clock rig: simulated s per wall s
    "factor", "fraction", "ratio", "percentile", "quantile", "weight", "scale", "tolerance", "margin",
    "x", "y", "t", "value", "limit", "lo", "hi", "low", "high", "default",
    "baud",                  # the unit is the name (symbols per second)
    "port",                  # a TCP port number
    "rtol", "atol",          # solver tolerances, relative to the state's own unit
    "verbose", "workers", "indent", "depth", "count", "line", "cv",
}
"""Names that are unitless by nature (counts, seeds, indexes, ratios named as such)."""

UNIT_LITERALS = {60, 3600, 1000, 86400, 24, 1e6}
"""Multiplying or dividing by one of these is a unit conversion: it goes through a firmware_sim/units.py constant."""


PENDING_PACKAGES: tuple[str, ...] = ()
"""Packages left out of every check (none today)."""

CONVERSIONS_ELSEWHERE = ("drivers/", "hil/emulators/")
"""Not yet on units.py constants: drivers are leaves (they import nothing from firmware_sim, so they need their own
constants), and the emulators still use bare factors. The remaining sites are listed in
docs/conventions.md; remove an entry here once its folder is clean."""

LEGACY_UNITLESS: frozenset[str] = frozenset({
    "firmware_sim/pump/catheter_mixing.py::PIECES_PER_TANK",
    "firmware_sim/pump/delivered_history.py::INITIAL_CAPACITY",
    "firmware_sim/pump/delivered_history.py::SEGMENTS_PER_WINDOW",
    "firmware_sim/pump/firmware.py::configure_ptm(max_count_per_24h)",
    "firmware_sim/pump/profile_builder.py::build_delivery_profile(mixing_tanks)",
    "hil/emulators/ne1000_state.py::start_program(phase)",
    "drivers/grbl_protocol.py::Burst.report_after",
    "drivers/grbl_protocol.py::LineReply.error",
    "drivers/grbl_protocol.py::StatusReport.substate",
    "drivers/grbl_run.py::RunPlan.resets_at_start",
    "drivers/harvard_codec.py::HarvardEncodedQuantity.value_in_base",
    "drivers/harvard_codec.py::MAX_DECIMALS",
    "drivers/harvard_codec.py::encode_quantity(value_in_base)",
    "drivers/ne1000.py::MAX_ALARM_REQUERIES",
    "drivers/ne1000_codec.py::ETX",
    "drivers/ne1000_codec.py::NE1000EncodedQuantity.value_in_base",
    "drivers/ne1000_codec.py::MAX_DECIMALS",
    "drivers/ne1000_codec.py::STX",
    "drivers/ne1000_codec.py::encode_best_unit(value_in_base)",
    "drivers/ne1000_codec.py::encode_in_unit(value_in_base)",
    "drivers/scripted.py::read_exact(size)",
    "drivers/scripted.py::read_until(max_size)",
    "drivers/transport.py::read_exact(size)",
    "drivers/transport.py::read_until(max_size)",
    "firmware_sim/pk/envelopes.py::LIMIT_MAXIMUM",
    "firmware_sim/pk/oral.py::OralRegimen.doses_to_steady_state",
    "firmware_sim/pk/peaks.py::CANDIDATE_FRACTION_OF_MAX",
    "firmware_sim/pk/peaks.py::MAX_REFINED",
    "firmware_sim/pk/population_bounds.py::DEFAULT_MIN_FRACTION_PASSING",
    "firmware_sim/pk/population_series.py::chunk_batch(start)",
    "firmware_sim/pk/population_series.py::chunk_batch(stop)",
    "firmware_sim/pk/population_verdict.py::PopulationEnvelope.min_fraction_passing",
    "firmware_sim/pk/population_verdict.py::PopulationEnvelope.p5",
    "firmware_sim/pk/population_verdict.py::PopulationEnvelope.p50",
    "firmware_sim/pk/population_verdict.py::PopulationEnvelope.p95",
    "firmware_sim/pk/population_verdict.py::PopulationVerdict.min_fraction_passing",
    "firmware_sim/pk/population_verdict.py::evaluate_population(min_fraction_passing)",
    "firmware_sim/pk/population_verdict.py::judge_population(min_fraction_passing)",
    "firmware_sim/pk/population_withdrawal.py::NOISE",
    "firmware_sim/pk/predict.py::percentiles(block_rows)",
    "firmware_sim/pk/withdrawal.py::WithdrawalLimits.min_fraction_of_sustained",
    "firmware_sim/safety/checks.py::ROUNDING_REL_TOL",
    "firmware_sim/safety/checks.py::check_number(minimum)",
    "firmware_sim/safety/checks.py::falls_short(minimum)",
    "firmware_sim/safety/gate.py::PtmSettings.max_count_per_24h",
    "firmware_sim/safety/limits.py::DrugLimits.ptm_max_count_per_24h",
    "hil/adapters/balance.py::GravimetricReading.power_ups",
    "hil/adapters/balance.py::MAX_RESETS_PER_READ",
    "hil/campaign/config.py::CampaignConfig.seeds",
    "hil/campaign/config.py::MAX_SEEDS",
    "hil/campaign/config.py::RunMatrix.seeds",
    "hil/campaign/specs.py::FAULT_TIME_DECIMALS",
    "hil/cli/firmware_diagram.py::PAIR_BEND",
    "hil/cli/predict.py::planned_samples(hours)",
    "hil/cli/predict.py::planned_samples(patients)",
    "hil/cli/predict_report.py::build_profile(hours)",
    "hil/cli/predict_report.py::sample_times_h(hours)",
    "hil/cli/run_table.py::KEEP_NAMES_FROM_COLUMNS",
    "hil/cli/tables.py::NON_TTY_WIDTH",
    "hil/cli/tables.py::wrapping_table(first_column_width)",
    "hil/config/bounds.py::ABSOLUTE_MAX_PTM_COUNT_PER_24H",
    "hil/config/bounds.py::MAX_YAML_ALIASES",
    "hil/config/bounds.py::MAX_YAML_EXPANDED_NODES",
    "hil/config/drug_library.py::above(bound)",
    "hil/config/patients.py::VirtualPatients.min_fraction_passing",
    "hil/config/scenario.py::Catheter.mixing_tanks",
    "hil/emulators/device.py::BITS_PER_BYTE_8N1",
    "hil/emulators/grbl_gcode.py::MM_PER_INCH",
    "hil/emulators/grbl_settings.py::format_setting(number)",
    "hil/emulators/grbl_settings.py::is_integer_setting(number)",
    "hil/emulators/ne1000_commands.py::MAX_PHASE",
    "hil/emulators/ne1000_core.py::start_program(phase)",
    "hil/emulators/ne1000_framing.py::CR",
    "hil/emulators/ne1000_framing.py::ETX",
    "hil/emulators/ne1000_framing.py::STX",
    "hil/emulators/sartorius_core.py::ESC",
    "hil/emulators/syringe.py::INFUSE",
    "hil/fuzz/mutations.py::MAX_MUTATIONS",
    "hil/fuzz/mutations.py::RANDOM_BYTES_MAX",
    "hil/fuzz/mutations.py::binary(max_size)",
    "hil/fuzz/mutations.py::mutate(max_mutations)",
    "hil/fuzz/noisy_link.py::read_exact(size)",
    "hil/fuzz/noisy_link.py::read_until(max_size)",
    "hil/fuzz/noisy_link.py::take(size)",
    "hil/fuzz/progress.py::advance(device_failures)",
    "hil/fuzz/progress.py::advance(frames)",
    "hil/fuzz/progress.py::device(failures_so_far)",
    "hil/fuzz/runner.py::DeviceReport.cases",
    "hil/fuzz/runner.py::DeviceReport.frames",
    "hil/fuzz/runner.py::fuzz_device(frames)",
    "hil/fuzz/runner.py::fuzz_device(from_frame)",
    "hil/fuzz/targets.py::MAX_PARSER_REPLIES",
    "hil/gravimetry/trumpet.py::TrumpetWindow.samples_per_window",
    "hil/outputs/report_format.py::HOURS_DECIMALS",
    "hil/outputs/run_coverage.py::RunCoverage.envelopes_evaluated",
    "hil/outputs/run_coverage.py::RunCoverage.envelopes_not_evaluated",
    "hil/outputs/run_coverage.py::RunCoverage.expectations_evaluated",
    "hil/outputs/run_coverage.py::RunCoverage.expectations_planned",
    "hil/outputs/summary.py::DAMAGE_IN_REASON",
    "hil/records/event_types.py::PopulationVerdict.min_fraction_passing",
    "hil/records/reader.py::MAX_DAMAGE_LISTED",
    "hil/records/reader.py::parse_line(number)",
    "hil/records/reader.py::add(number)",
    "hil/results/trumpet.py::TrumpetWindowResult.samples_per_window",
    "hil/runner/pk_verdict.py::delivered_profiles(mixing_tanks)",
    "hil/runner/pk_verdict.py::evaluate_pk(mixing_tanks)",
})
"""Public numeric names from before this check that still lack a unit (file::name). Rename them with every caller
(and with the YAML / JSON key when the name is on disk), or move the name to UNITLESS_NAMES with a reason."""


def _modules() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not _rel(path, ROOT).startswith(PENDING_PACKAGES):
                yield path


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_numeric(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    text = ast.unparse(annotation).replace(" ", "")
    return text in {"float", "int", "float|None", "int|None", "Number", "Number|None", "WholeNumber",
                    "WholeNumber|None", "PositiveFloat", "NonNegativeFloat", "PositiveInt", "NonNegativeInt"}


def _has_unit(name: str) -> bool:
    bare = name.lower().lstrip("_")
    return (bare.endswith(UNIT_SUFFIXES) or bare.startswith(UNITLESS_PREFIXES) or bare in UNITLESS_NAMES
            or any(bare.endswith("_" + unitless) for unitless in UNITLESS_NAMES))


def _is_record_class(node: ast.ClassDef) -> bool:
    """A dataclass, a pydantic model, a NamedTuple or a TypedDict: its annotated fields are public names."""
    decorators = {ast.unparse(d).split("(")[0].split(".")[-1] for d in node.decorator_list}
    bases = {ast.unparse(b).split("[")[0].split(".")[-1] for b in node.bases}
    return "dataclass" in decorators or bool(bases & {"BaseModel", "StrictModel", "NamedTuple", "TypedDict"}) \
        or any(base.endswith(("Model", "Config", "Settings")) for base in bases)


def _numeric_names(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, name) for every public numeric name: function parameters, record fields, module constants."""
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and _is_numeric(node.annotation):
            yield node.lineno, node.target.id
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and type(node.value.value) in (int, float):
            yield from ((node.lineno, target.id) for target in node.targets if isinstance(target, ast.Name))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and _is_record_class(node):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) \
                        and _is_numeric(item.annotation):
                    yield item.lineno, f"{node.name}.{item.target.id}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if _is_numeric(arg.annotation):
                    yield arg.lineno, f"{node.name}({arg.arg})"


def unit_violations(path: Path, root: Path = ROOT) -> list[str]:
    """file:line: name, for each public numeric name without a unit suffix (LEGACY_UNITLESS left out)."""
    out = []
    for line, name in _numeric_names(_tree(path)):
        leaf = name.split("(")[-1].rstrip(")").split(".")[-1]
        if leaf.startswith("_") or _has_unit(leaf) or f"{_rel(path, root)}::{name}" in LEGACY_UNITLESS:
            continue
        out.append(f"{_rel(path, root)}:{line}: {name}")
    return out


def conversion_violations(path: Path, root: Path = ROOT) -> list[str]:
    """file:line: expression, for each multiplication or division by a bare unit factor."""
    out = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div, ast.FloorDiv)) and any(
                isinstance(side, ast.Constant) and type(side.value) in (int, float) and side.value in UNIT_LITERALS
                for side in (node.left, node.right)):
            out.append(f"{_rel(path, root)}:{node.lineno}: {ast.unparse(node)}")
    return out


def test_no_module_is_over_300_lines():
    long = [f"{_rel(path, ROOT)}: {n} lines" for path in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them by concept):\n" + "\n".join(long)


def test_public_numeric_names_carry_a_unit():
    bad = [violation for path in _modules() for violation in unit_violations(path)]
    assert not bad, ("public numeric names without a unit suffix (add one, or an entry with a reason to "
                     "UNITLESS_NAMES):\n" + "\n".join(bad))


def test_every_legacy_unitless_name_still_exists():
    """The legacy list only shrinks: an entry whose name was renamed or removed is taken off."""
    found = {f"{_rel(path, ROOT)}::{name}" for path in _modules() for _, name in _numeric_names(_tree(path))}
    assert not LEGACY_UNITLESS - found, f"stale LEGACY_UNITLESS entries: {sorted(LEGACY_UNITLESS - found)}"


def test_unit_conversions_go_through_the_units_module():
    bad = [violation for path in _modules()
           if path != UNITS_MODULE and not _rel(path, ROOT).startswith(CONVERSIONS_ELSEWHERE)
           for violation in conversion_violations(path)]
    assert not bad, "bare unit conversions (use a firmware_sim/units.py constant):\n" + "\n".join(bad)


@pytest.mark.parametrize(("source", "expected"), [
    ("def f(rate: float) -> None: ...", ["m.py:1: f(rate)"]),
    ("def f(rate_ul_per_h: float, n_steps: int, seed: int, tick_count: int) -> None: ...", []),
    ("from dataclasses import dataclass\n@dataclass\nclass C:\n    timeout: float = 1.0\n", ["m.py:4: C.timeout"]),
    ("from pydantic import BaseModel\nclass M(BaseModel):\n    dose_mcg: float\n    rate: float | None\n",
     ["m.py:4: M.rate"]),
    ("LIMIT_RATE = 5.0\nMAX_DOSE_MCG = 1.0\n", ["m.py:1: LIMIT_RATE"]),
    ("def _private(rate: float) -> None: ...", []),
])
def test_the_unit_check_finds_unitless_names(tmp_path: Path, source: str, expected: list[str]):
    (tmp_path / "m.py").write_text(source)
    assert unit_violations(tmp_path / "m.py", tmp_path) == expected


def test_the_conversion_check_finds_bare_factors(tmp_path: Path):
    (tmp_path / "m.py").write_text("a = t_h * 3600\nb = t_s / 60.0\nc = x * 2\nd = S_PER_H * t_h\ne = n // 24\n")
    assert conversion_violations(tmp_path / "m.py", tmp_path) == ["m.py:1: t_h * 3600", "m.py:2: t_s / 60.0",
                                                                  "m.py:5: n // 24"]
