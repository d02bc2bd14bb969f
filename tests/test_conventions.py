"""The house conventions, checked on the source with `ast`: small modules, a unit in every public numeric name,
unit conversions only through firmware_sim/units.py. Each failure names file:line and the name."""
from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("firmware_sim", "drivers", "hil")
MAX_MODULE_LINES = 300
UNITS_MODULE_NAME = "units.py"
"""A package's own units module (firmware_sim/units.py; drivers/units.py, as drivers import nothing from firmware_sim)
is where unit factors are written out."""

UNIT_SUFFIXES = (
    # time
    "_s", "_ms", "_us", "_min", "_h", "_day", "_days", "_years",
    # volume, length, area, mass, amount
    "_ul", "_ml", "_l", "_mm", "_mm2", "_mm3", "_inch", "_g", "_mg", "_mcg", "_ng", "_kg",
    # rates and concentrations
    "_ul_per_h", "_ul_per_s", "_ul_per_min", "_ml_per_h", "_ml_per_min", "_l_per_h", "_mg_per_h", "_mcg_per_h",
    "_mcg_per_day", "_mcg_per_ml", "_ng_per_ml", "_g_per_ml", "_mm_per_min", "_per_h", "_per_mm", "_per_day",
    "_per_24h",              # a count per rolling 24 h window (PTM boluses: ptm_max_count_per_24h, a drug-library key)
    # ratios, electrical and serial
    "_pct", "_percent", "_fraction", "_ratio", "_factor", "_hz", "_baud", "_bps", "_bytes", "_bits", "_chars",
    # counts: a count names what it counts (n_*, *_count, *_ticks ...)
    "_count", "_ticks", "_steps", "_samples", "_patients", "_periods", "_lines", "_digits", "_events", "_cases",
    "_frames", "_runs", "_blocks", "_writes", "_retries", "_attempts",
    "_tanks",                # tanks in series of the catheter mixing model (catheter.mixing_tanks, a scenario key)
    "_points",               # points of a time series (an array's capacity)
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
    "fd",                    # an operating-system file descriptor: an identity, like index
    "phase",                 # a pump program's phase number (NE-1000 1..41): an identity, like index
    "stx", "etx", "cr", "esc",  # framing control bytes of a serial protocol, not quantities
    "rtol", "atol",          # solver tolerances, relative to the state's own unit
    "verbose", "workers", "indent", "depth", "count", "line", "cv",
    "rel_tol",               # a relative tolerance (math.isclose's name), like rtol
    "minimum", "maximum", "bound",  # a bound of a generic `value`, in that value's unit, like lo / hi / limit
    "p5", "p50", "p95",      # percentiles of an envelope's value, in its `unit` field (population_verdict JSON)
    # on-disk keys kept under their documented names (renaming them would break users' files):
    "fraction_passing",      # JSON field, and min_fraction_passing a scenario / campaign key: a fraction of patients
    "frames", "cases", "frames_per_device",  # fuzz-result JSON fields: counts of frames and of cases
    "seeds",                 # campaign key: how many seeds (repetitions) of each scenario x rig x fault plan, a count
    "samples_per_window",    # trumpet-result JSON field: a count of balance samples per observation window
    "registered", "covered",  # traceability.json coverage fields teams import: counts of requirements
}
"""Names that are unitless by nature (counts, seeds, indexes, ratios named as such)."""

UNIT_LITERALS = {60, 3600, 1000, 86400, 24, 1e6}
"""Multiplying or dividing by one of these is a unit conversion: it goes through a firmware_sim/units.py constant."""


PENDING_PACKAGES: tuple[str, ...] = ()
"""Packages left out of every check (none today)."""

LEGACY_UNITLESS: frozenset[str] = frozenset()
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


def _bases(node: ast.ClassDef) -> set[str]:
    return {ast.unparse(b).split("[")[0].split(".")[-1] for b in node.bases}


def _is_record_class(node: ast.ClassDef) -> bool:
    """A dataclass, a pydantic model, a NamedTuple or a TypedDict: its annotated fields are public names (a model
    on a base of its own is known by the base's name: *Model, *Config, *Settings, *Result; on any other base, by
    that base being a record class itself: _record_class_names)."""
    decorators = {ast.unparse(d).split("(")[0].split(".")[-1] for d in node.decorator_list}
    bases = _bases(node)
    return "dataclass" in decorators or bool(bases & {"BaseModel", "StrictModel", "NamedTuple", "TypedDict"}) \
        or any(base.endswith(("Model", "Config", "Settings", "Result")) for base in bases)


def _record_class_names(trees: Iterable[ast.Module]) -> set[str]:
    """The record classes of these modules, a class on a record class's base counted too, however deep."""
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    names = {node.name for node in classes if _is_record_class(node)}
    while grown := {node.name for node in classes if node.name not in names and _bases(node) & names}:
        names |= grown
    return names


@functools.cache
def _project_record_class_names() -> frozenset[str]:
    return frozenset(_record_class_names(_tree(path) for path in _modules()))


def _numeric_names(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, name) for every public numeric name: function parameters, record fields, module constants."""
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and _is_numeric(node.annotation):
            yield node.lineno, node.target.id
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and type(node.value.value) in (int, float):
            yield from ((node.lineno, target.id) for target in node.targets if isinstance(target, ast.Name))
    records = _project_record_class_names() | _record_class_names([tree])
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and node.name in records:
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


def is_units_module(path: Path, root: Path = ROOT) -> bool:
    """A package's own units.py (directly in the package, not in a subpackage)."""
    return path.name == UNITS_MODULE_NAME and path.parent.parent == root and path.parent.name in PACKAGES


def test_unit_conversions_go_through_the_units_module():
    bad = [violation for path in _modules() if not is_units_module(path) for violation in conversion_violations(path)]
    assert not bad, ("bare unit conversions (use a firmware_sim/units.py constant; in drivers/, drivers/units.py):\n"
                     + "\n".join(bad))


def test_only_a_package_units_module_may_write_out_factors():
    assert is_units_module(ROOT / "firmware_sim" / "units.py") and is_units_module(ROOT / "drivers" / "units.py")
    assert not is_units_module(ROOT / "hil" / "gravimetry" / "units.py")
    assert not is_units_module(ROOT / "drivers" / "grbl.py")


def test_the_drivers_unit_constants_are_the_firmware_ones():
    """drivers/units.py repeats firmware_sim/units.py's constants (drivers are leaves): same names, same values."""
    import drivers.units
    import firmware_sim.units

    constants = {name: value for name, value in vars(drivers.units).items() if name.isupper()}
    assert constants, "drivers/units.py defines no constants"
    assert {name: getattr(firmware_sim.units, name, None) for name in constants} == constants


@pytest.mark.parametrize(("source", "expected"), [
    ("def f(rate: float) -> None: ...", ["m.py:1: f(rate)"]),
    ("def f(rate_ul_per_h: float, n_steps: int, seed: int, tick_count: int) -> None: ...", []),
    ("from dataclasses import dataclass\n@dataclass\nclass C:\n    timeout: float = 1.0\n", ["m.py:4: C.timeout"]),
    ("from pydantic import BaseModel\nclass M(BaseModel):\n    dose_mcg: float\n    rate: float | None\n",
     ["m.py:4: M.rate"]),
    ("LIMIT_RATE = 5.0\nMAX_DOSE_MCG = 1.0\n", ["m.py:1: LIMIT_RATE"]),
    ("class R(OutcomeResult):\n    elapsed: float\n    elapsed_s: float\n", ["m.py:2: R.elapsed"]),
    ("from pydantic import BaseModel\nclass _Frozen(BaseModel):\n    pass\nclass Count(_Frozen):\n    tally: int\n"
     "class Deeper(Count):\n    seen: int\nclass Plain:\n    level_x: float\n",
     ["m.py:5: Count.tally", "m.py:7: Deeper.seen"]),
    ("def _private(rate: float) -> None: ...", []),
])
def test_the_unit_check_finds_unitless_names(tmp_path: Path, source: str, expected: list[str]):
    (tmp_path / "m.py").write_text(source)
    assert unit_violations(tmp_path / "m.py", tmp_path) == expected


def test_the_conversion_check_finds_bare_factors(tmp_path: Path):
    (tmp_path / "m.py").write_text("a = t_h * 3600\nb = t_s / 60.0\nc = x * 2\nd = S_PER_H * t_h\ne = n // 24\n")
    assert conversion_violations(tmp_path / "m.py", tmp_path) == ["m.py:1: t_h * 3600", "m.py:2: t_s / 60.0",
                                                                  "m.py:5: n // 24"]
