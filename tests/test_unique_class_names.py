"""Every class name defined in the shipped packages is defined once, so a name says which thing it is.

Two `BalanceConfig`s (the rig file's section and the emulator's settings) had let a reader, an import or a
search land on the wrong one; the scan names both files of any name defined twice.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("firmware_sim", "drivers", "hil")


def class_definitions(root: Path, packages: tuple[str, ...]) -> dict[str, list[str]]:
    """Class name -> ["path:line", ...] of every class statement (nested ones too) under the packages."""
    found: dict[str, list[str]] = defaultdict(list)
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    found[node.name].append(f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return found


def duplicates(found: dict[str, list[str]]) -> list[str]:
    return [f"{name} is defined in {' and '.join(places)}" for name, places in sorted(found.items()) if len(places) > 1]


def test_every_class_name_in_the_packages_is_defined_once() -> None:
    found = class_definitions(ROOT, PACKAGES)
    assert len(found) > 100, "the scan found too few classes: are the package paths right?"
    assert duplicates(found) == []


def test_a_name_defined_twice_is_reported_with_both_files(tmp_path: Path) -> None:
    (tmp_path / "pkg_a").mkdir()
    (tmp_path / "pkg_b" / "inner").mkdir(parents=True)
    (tmp_path / "pkg_a" / "rig.py").write_text("class BalanceConfig:\n    pass\n")
    (tmp_path / "pkg_b" / "inner" / "emulator.py").write_text("x = 1\n\n\nclass BalanceConfig:\n    pass\n")
    (tmp_path / "pkg_b" / "other.py").write_text("class Unique:\n    pass\n")
    assert duplicates(class_definitions(tmp_path, ("pkg_a", "pkg_b"))) == [
        "BalanceConfig is defined in pkg_a/rig.py:1 and pkg_b/inner/emulator.py:4"]
