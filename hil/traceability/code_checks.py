"""Where the code implements each requirement, read from the code itself so that it cannot drift from it.

    checks = requirement_checks()        # {"SR-DOSE-001": (CodeCheck("firmware_sim.safety.checks",
                                         #                  "check_program_daily_dose", 63), ...), ...}
    tests = requirement_tests()          # {"SR-DOSE-001": ("tests/firmware_sim/...::test_...", ...), ...}

A check is every place in firmware_sim/, drivers/ and hil/ that names a requirement ID: an exact "SR-..." text in
the code (a Finding's ID, an alarm's requirement, a requirement_ids tuple) or a bracketed citation `[SR-...]` in a
docstring, attributed to the function or class that holds it (a module-level name for a table, `<module>` for
the module docstring). The registry itself (firmware_sim/requirements.py, hazards.py) is not a check. A test is a
test function under tests/ whose @pytest.mark.requirements(...) (on it, its class or the module's pytestmark)
names the ID. Both are parsed, never imported, so collecting them runs no code.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK_PACKAGES = ("firmware_sim", "drivers", "hil")
NOT_CHECKS = ("firmware_sim/requirements.py", "firmware_sim/hazards.py")
REQUIREMENT_TEXT = re.compile(r"^SR-[A-Z0-9]+(-[A-Z0-9]+)*$")
CITATION = re.compile(r"\[(SR-[A-Z0-9]+(?:-[A-Z0-9]+)*(?:,\s*SR-[A-Z0-9]+(?:-[A-Z0-9]+)*)*)\]")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True, order=True)
class CodeCheck:
    module: str
    function: str
    line: int

    @property
    def name(self) -> str:
        return f"{self.module}:{self.function}"


def _cited(node: ast.AST) -> list[str]:
    doc = ast.get_docstring(node, clean=False) if isinstance(node, (ast.Module, *SCOPES)) else None
    return [rid.strip() for match in CITATION.findall(doc or "") for rid in match.split(",")]


def _module_scope(node: ast.stmt) -> str:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return names[0] if names else "<module>"


def _scan(tree: ast.Module, module: str) -> list[tuple[str, CodeCheck]]:
    found = [(rid, CodeCheck(module, "<module>", 1)) for rid in _cited(tree)]

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, SCOPES):
                name = f"{scope}.{child.name}" if scope else child.name
                found.extend((rid, CodeCheck(module, name, child.lineno)) for rid in _cited(child))
                visit(child, name)
            elif (
                isinstance(child, ast.Constant) and isinstance(child.value, str) and REQUIREMENT_TEXT.match(child.value)
            ):
                found.append((child.value, CodeCheck(module, scope or "<module>", child.lineno)))
            else:
                visit(child, scope or (_module_scope(child) if isinstance(child, ast.stmt) and node is tree else ""))
    visit(tree, "")
    return found


@lru_cache(maxsize=4)
def requirement_checks(root: Path = ROOT) -> dict[str, tuple[CodeCheck, ...]]:
    """Requirement ID -> the checks that name it (one per function, its first line), sorted."""
    by_id: dict[str, dict[str, CodeCheck]] = {}
    for package in CHECK_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative in NOT_CHECKS:
                continue
            module = relative.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
            for rid, check in _scan(ast.parse(path.read_text(encoding="utf-8")), module):
                by_id.setdefault(rid, {}).setdefault(check.name, check)
    return {rid: tuple(sorted(checks.values())) for rid, checks in sorted(by_id.items())}


def _is_marker(func: ast.expr, aliases: set[str]) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "requirements") or \
        (isinstance(func, ast.Name) and func.id in aliases)


def _marked(nodes: list[ast.expr], aliases: set[str]) -> list[str]:
    """The IDs of every requirements marker in these expressions (also `req = pytest.mark.requirements; @req(...)`
    and `pytest.param(..., marks=...)`)."""
    ids = []
    for node in nodes:
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and _is_marker(call.func, aliases):
                ids += [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return ids


def _module_marks(tree: ast.Module) -> tuple[set[str], list[str]]:
    """(names bound to pytest.mark.requirements, the IDs of the module's pytestmark)."""
    assigns = [node for node in tree.body if isinstance(node, ast.Assign)]
    aliases = {t.id for node in assigns for t in node.targets if isinstance(t, ast.Name)
               and isinstance(node.value, ast.Attribute) and node.value.attr == "requirements"}
    marks = [
        node.value for node in assigns if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
    ]
    return aliases, _marked(marks, aliases)


@lru_cache(maxsize=4)
def requirement_tests(root: Path = ROOT) -> dict[str, tuple[str, ...]]:
    """Requirement ID -> pytest node ids (file::[Class::]function) of the tests marked with it, sorted; empty when
    there is no tests/ folder (an installed package)."""
    by_id: dict[str, set[str]] = {}
    for path in sorted((root / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative, (aliases, module_ids) = path.relative_to(root).as_posix(), _module_marks(tree)

        def visit(body: list[ast.stmt], prefix: str, inherited: list[str], aliases: set[str] = aliases,
                  relative: str = relative) -> None:
            for node in body:
                if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                    visit(node.body, f"{prefix}{node.name}::", inherited + _marked(node.decorator_list, aliases))
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                    for rid in inherited + _marked(node.decorator_list, aliases):
                        by_id.setdefault(rid, set()).add(f"{relative}::{prefix}{node.name}")
        visit(tree.body, "", module_ids)
    return {rid: tuple(sorted(nodes)) for rid, nodes in sorted(by_id.items())}
