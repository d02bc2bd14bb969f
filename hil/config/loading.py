"""Load a YAML file into a pydantic model with errors that name the file, the key path and the line.

    rig = load_model(Path("bench_configs/rigs/emulated-ne1000.yaml"), RigConfig)

- YAML syntax errors, duplicate keys, unknown keys (models use extra="forbid"), missing keys and
  wrong types or values all raise `ConfigError`, whose message lists `file:line: key.path: problem`.
- `${ITPUMP_NAME}` inside a string is replaced by that environment variable and `${ITPUMP_NAME:-text}`
  falls back to `text` when it is unset; any other variable name, or an unset ITPUMP_ variable without a
  default, is an error naming it. `$$` writes a literal `$`.
- A model may define `cross_check(self) -> list[LocatedProblem]` for checks across sections; its
  problems are reported with the line of the key path they name.
- Fields typed `ConfigPath` resolve relative paths against the YAML file's folder.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar
from collections.abc import Mapping

import pydantic
import yaml
from pydantic import AfterValidator, ValidationInfo
from pydantic_core import ErrorDetails

from hil.config.errors import ConfigError, ConfigIssue, KeyPath
from hil.config.yaml_reader import compose_bounded, read_config_text

ENV_PREFIX = "ITPUMP_"
BASE_DIR_CONTEXT_KEY = "config_base_dir"

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


@dataclass(frozen=True)
class LoadedYaml:
    """Plain data from a YAML file plus the line (1-based) where each key path starts."""

    file: Path
    data: object
    lines: Mapping[KeyPath, int]

    def line_of(self, key_path: KeyPath) -> int | None:
        return self.lines.get(tuple(key_path))


def load_yaml(path: Path | str, environ: Mapping[str, str] | None = None) -> LoadedYaml:
    """Parse one YAML document, substitute ${ITPUMP_...} variables, keep line numbers."""
    file = Path(path)
    return parse_yaml_text(read_config_text(file), file, os.environ if environ is None else environ)


def parse_yaml_text(text: str, file: Path, environ: Mapping[str, str]) -> LoadedYaml:
    node, data = compose_bounded(text, file)
    lines: dict[KeyPath, int] = {(): 1}
    issues: list[ConfigIssue] = []
    if node is not None:
        _collect_lines(node, (), lines, issues)
    data = _substitute(data, (), lines, environ, issues)
    if issues:
        raise ConfigError(file, issues)
    return LoadedYaml(file=file, data=data, lines=lines)


def _collect_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], issues: list[ConfigIssue]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[object] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = path + (key,)
            if key in seen:
                issues.append(ConfigIssue(child, key_node.start_mark.line + 1, "duplicate key"))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _collect_lines(value_node, child, lines, issues)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = path + (index,)
            lines[child] = item.start_mark.line + 1
            _collect_lines(item, child, lines, issues)


_VARIABLE = re.compile(r"\$(\$|\{([^}]*)\})")


def _substitute(value: object, path: KeyPath, lines: Mapping[KeyPath, int], environ: Mapping[str, str],
                issues: list[ConfigIssue]) -> object:
    if isinstance(value, dict):
        return {k: _substitute(v, path + (k,), lines, environ, issues) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, path + (i,), lines, environ, issues) for i, v in enumerate(value)]
    if not isinstance(value, str) or "$" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(1) == "$":
            return "$"
        name, has_default, default = match.group(2).partition(":-")
        if not name.startswith(ENV_PREFIX) or not re.fullmatch(r"[A-Z0-9_]+", name):
            issues.append(ConfigIssue(path, lines.get(path), f"environment variable ${{{name}}} is not allowed: "
                                      f"only ${{{ENV_PREFIX}...}} variables are substituted"))
            return match.group(0)
        if name not in environ:
            if has_default:
                return default
            issues.append(ConfigIssue(path, lines.get(path), f"environment variable {name} is not set"))
            return match.group(0)
        return environ[name]

    return _VARIABLE.sub(replace, value)


def load_model(path: Path | str, model: type[ModelT], environ: Mapping[str, str] | None = None) -> ModelT:
    """Load and validate one YAML file as `model`; raises ConfigError naming file, key and line."""
    loaded = load_yaml(path, environ)
    return validate_loaded(loaded, model)


def validate_loaded(loaded: LoadedYaml, model: type[ModelT]) -> ModelT:
    context = {BASE_DIR_CONTEXT_KEY: loaded.file.resolve().parent}
    try:
        instance = model.model_validate(loaded.data if loaded.data is not None else {}, context=context)
    except pydantic.ValidationError as exc:
        raise ConfigError(loaded.file, [_issue_from_pydantic(err, loaded) for err in exc.errors()]) from None
    cross_check = getattr(instance, "cross_check", None)
    if cross_check is not None:
        problems = cross_check()
        if problems:
            raise ConfigError(loaded.file, [ConfigIssue(tuple(key_path), nearest_line(loaded, key_path), message)
                                            for key_path, message in problems])
    return instance


def nearest_line(loaded: LoadedYaml, key_path: KeyPath) -> int | None:
    """The line of the key path, or of its nearest parent the file has (a key the model gave a default)."""
    path = tuple(key_path)
    while path and loaded.line_of(path) is None:
        path = path[:-1]
    return loaded.line_of(path)


def _issue_from_pydantic(error: ErrorDetails, loaded: LoadedYaml) -> ConfigIssue:
    """Map pydantic's location (which may contain union tags) onto the concrete key path in the file."""
    node: object = loaded.data
    concrete: list[str | int] = []
    for part in error["loc"]:
        if isinstance(node, dict) and part in node:  # noqa: SIM114 - part is narrowed to int in the list branch only
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            continue
        concrete.append(part)
    line = loaded.line_of(tuple(concrete))
    key_path = tuple(concrete)
    if error["type"] == "missing" and error["loc"]:
        key_path = key_path + (error["loc"][-1],)
        message = "required key is missing"
    elif error["type"] == "extra_forbidden":
        message = "unknown key (not allowed here; check the spelling)"
    else:
        message = error["msg"]
        if error["type"] not in ("value_error", "assertion_error"):
            message += f" (got {_short_repr(error.get('input'))})"
    return ConfigIssue(key_path, line, message)


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _resolve_against_file(value: Path, info: ValidationInfo) -> Path:
    base_dir = (info.context or {}).get(BASE_DIR_CONTEXT_KEY)
    if value.is_absolute() or base_dir is None:
        return value
    return (Path(base_dir) / value).resolve()


ConfigPath = Annotated[Path, AfterValidator(_resolve_against_file)]
