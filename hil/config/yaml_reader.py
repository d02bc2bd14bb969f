"""Read a configuration file defensively: bounded size, UTF-8 only, bounded YAML aliases and nesting.

    text = read_config_text(path)          # ConfigError naming the file (never echoing a non-config's bytes)
    node = compose_bounded(text, path)     # ConfigError naming the file and line

Alias expansion is measured on the composed node graph (where an alias is a shared reference) before anything
walks the document as a tree, so a small file that expands to millions of nodes is refused in milliseconds.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

import yaml
from yaml.events import AliasEvent

from hil.config.bounds import (MAX_CONFIG_FILE_BYTES, MAX_N_INTEGER_CHARS, MAX_N_YAML_ALIASES,
                               MAX_N_YAML_EXPANDED_NODES, MAX_YAML_DEPTH)
from hil.config.errors import ConfigError, ConfigIssue

_UTF16_32_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                  (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def _fail(file: Path, message: str, line: int | None = None) -> ConfigError:
    return ConfigError(file, [ConfigIssue((), line, message)])


def read_config_text(file: Path) -> str:
    """The file's text; a regular file of at most MAX_CONFIG_FILE_BYTES bytes, UTF-8 without NUL bytes."""
    try:
        info = os.stat(file)  # stat first: opening a fifo would block, reading /dev/zero would never end
    except OSError as exc:
        raise _fail(file, f"cannot read file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, fifo or socket)"
        raise _fail(file, f"cannot read file: {kind}; a configuration must be a regular YAML file")
    if info.st_size > MAX_CONFIG_FILE_BYTES:
        raise _fail(file, f"file is {info.st_size} bytes, more than the {MAX_CONFIG_FILE_BYTES} bytes a configuration "
                          f"may have")
    try:
        with open(file, "rb") as stream:
            data = stream.read(MAX_CONFIG_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail(file, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_FILE_BYTES:
        raise _fail(file, f"file is more than the {MAX_CONFIG_FILE_BYTES} bytes a configuration may have")
    return decode_config_bytes(data, file)


def decode_config_bytes(data: bytes, file: Path) -> str:
    for bom, name in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise _fail(file, f"file is {name} encoded; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _fail(file, f"not UTF-8 text: invalid byte at offset {exc.start}; save the file as UTF-8", line) from None
    if "\x00" in text:
        raise _fail(file, "contains NUL bytes (binary or UTF-16 data?); a configuration is UTF-8 text",
                    text.count("\n", 0, text.index("\x00")) + 1)
    return text


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader whose composer refuses too many aliases and too deep nesting as it goes, and which reads an
    exponent without a decimal point (1e-6, 2E+3) as the number YAML 1.2 says it is: YAML 1.1 made it a string, and
    the schemas take no strings for numbers."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_N_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(problem=f"more than {MAX_N_YAML_ALIASES} aliases (*name); "
                                                   f"write the values out", problem_mark=mark)
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(problem=f"nesting deeper than {MAX_YAML_DEPTH} levels", problem_mark=mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _IntegerTooLong(yaml.MarkedYAMLError):
    """An integer written with more than MAX_N_INTEGER_CHARS characters."""


def _bounded_integer(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    written = str(node.value)
    if len(written) > MAX_N_INTEGER_CHARS:
        raise _IntegerTooLong(problem=f"an integer written with {len(written)} characters (at most "
                                      f"{MAX_N_INTEGER_CHARS})", problem_mark=node.start_mark)
    return loader.construct_yaml_int(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _bounded_integer)
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$")
_BoundedLoader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789."))


def expanded_shape(node: yaml.Node, file: Path) -> tuple[int, int]:
    """(node count, depth) of the document with aliases expanded, computed once per shared node.

    Both saturate just above their bounds, so the walk stays linear in the composed graph; cycles are refused."""
    shapes: dict[int, tuple[int, int]] = {}
    in_progress: set[int] = set()

    def shape(current: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(current)
        if key in shapes:
            return shapes[key]
        if key in in_progress:
            raise _fail(file, "an alias refers to a node that contains it (recursive alias)",
                        current.start_mark.line + 1)
        if depth > MAX_YAML_DEPTH:
            raise _fail(file, f"with its aliases expanded the document nests deeper than {MAX_YAML_DEPTH} levels",
                        current.start_mark.line + 1)
        in_progress.add(key)
        children: list[yaml.Node] = []
        if isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        total, deepest = 1, 0
        for child in children:
            child_total, child_depth = shape(child, depth + 1)
            total, deepest = min(total + child_total, MAX_N_YAML_EXPANDED_NODES + 1), max(deepest, child_depth)
        in_progress.discard(key)
        shapes[key] = (total, deepest + 1)
        return shapes[key]

    return shape(node, 1)


def compose_bounded(text: str, file: Path) -> tuple[yaml.Node | None, object]:
    """Compose and construct one YAML document within the bounds; returns (node, plain data)."""
    loader = None
    try:
        loader = _BoundedLoader(text)  # the reader refuses control characters here already
        node = loader.get_single_node()
        if node is not None:
            count, depth = expanded_shape(node, file)
            if count > MAX_N_YAML_EXPANDED_NODES:
                raise _fail(file, f"with its aliases expanded the document has more than {MAX_N_YAML_EXPANDED_NODES} "
                                  f"values; write it out without aliases", node.start_mark.line + 1)
            if depth > MAX_YAML_DEPTH:
                raise _fail(file, f"with its aliases expanded the document nests deeper than {MAX_YAML_DEPTH} levels",
                            node.start_mark.line + 1)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        what = "" if isinstance(exc, _IntegerTooLong) else "YAML syntax error: "
        raise _fail(file, f"{what}{problem}", line) from None
    except yaml.YAMLError as exc:
        raise _fail(file, f"YAML error: {exc}") from None
    except RecursionError:
        raise _fail(file, f"nesting too deep (more than {MAX_YAML_DEPTH} levels)") from None
    finally:
        if loader is not None:
            loader.dispose()
    return node, data
