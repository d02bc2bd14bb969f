"""No import cycles in the project's packages (firmware_sim/, drivers/, hil/), found by static analysis.

The graph: one node per module; an edge for every import statement anywhere in it: module level, under
`if TYPE_CHECKING:` (a type-only cycle is still two modules that cannot be understood apart) and inside a function
(a deferred import hides a cycle from the interpreter, not from the design). Relative imports are resolved;
`from package import name` points at `package.name` when that is a module, else at `package`. A package's
`__init__` is a node of its own: importing `a.b` is not counted as importing `a`. Every cycle is reported with its
path (a -> b -> ... -> a).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("firmware_sim", "drivers", "hil")

KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()
"""The only cycles allowed, each as its set of modules (a strongly connected set); any other cycle fails. Remove an
entry once its cycle is
gone (test_known_cycles_are_still_there says so)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def _imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    return [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                source = _absolute(name, path.name == "__init__.py", node)
                targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                           for alias in node.names]
            graph[name].update(target for target in targets if target in modules and target != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[frozenset[str], list[str]]]:
    """Per strongly connected component of more than one module (Tarjan's algorithm, iterative): its modules and
    one cycle path through them (first module repeated at the end)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return [(frozenset(component), _cycle_path(graph, component)) for component in components]


def _cycle_path(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first inside the component)."""
    start = min(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & component):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start} in its component {sorted(component)}")


def test_cycle_finder_reports_the_path_of_a_cycle_and_ignores_a_tree():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d"}}
    assert cycles(graph) == [(frozenset("abc"), ["a", "b", "c", "a"])]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_import_graph_counts_type_only_and_deferred_imports(tmp_path: Path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from typing import TYPE_CHECKING\nfrom . import b\nif TYPE_CHECKING:\n"
                                  "    from pkg import c\n")
    (package / "b.py").write_text("def f():\n    from .a import x\n")
    (package / "c.py").write_text("import os\nimport pkg.d\n")
    (package / "d.py").write_text("")
    modules = {f"pkg.{p.stem}" if p.stem != "__init__" else "pkg": p for p in package.glob("*.py")}
    assert import_graph(modules) == {"pkg": set(), "pkg.a": {"pkg.b", "pkg.c"}, "pkg.b": {"pkg.a"},
                                     "pkg.c": {"pkg.d"}, "pkg.d": set()}


def test_no_import_cycles_beyond_the_known_ones():
    found = cycles(import_graph(project_modules()))
    unexpected = [(modules, path) for modules, path in found if modules not in KNOWN_CYCLES]
    assert not unexpected, "import cycles:\n" + "\n".join(
        f"{' -> '.join(path)} (modules in the cycle: {', '.join(sorted(modules))})" for modules, path in unexpected)


@pytest.mark.parametrize("known", sorted(KNOWN_CYCLES, key=sorted), ids=lambda cycle: "<->".join(sorted(cycle)[:2]))
def test_known_cycles_are_still_there(known: frozenset[str]):
    """A known cycle that is gone must leave KNOWN_CYCLES, so it cannot come back unnoticed."""
    found = {modules for modules, _ in cycles(import_graph(project_modules()))}
    assert known in found, f"the cycle {sorted(known)} is gone: remove it from KNOWN_CYCLES"
