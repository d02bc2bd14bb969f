"""The error every configuration loader raises: the file plus located issues (key path, line, message)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

KeyPath = tuple[str | int, ...]
LocatedProblem = tuple[KeyPath, str]


@dataclass(frozen=True)
class ConfigIssue:
    key_path: KeyPath
    line: int | None
    message: str

    @property
    def dotted_key(self) -> str:
        return format_key_path(self.key_path)


class ConfigError(ValueError):
    """A configuration file could not be loaded; `issues` says where and why."""

    def __init__(self, file: Path, issues: list[ConfigIssue]) -> None:
        self.file = Path(file)
        self.issues = list(issues)
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [f"invalid configuration {self.file}:"]
        for issue in self.issues:
            where = f"{self.file}:{issue.line}" if issue.line is not None else f"{self.file}"
            lines.append(f"  {where}: {issue.dotted_key or '(top level)'}: {issue.message}")
        return "\n".join(lines)


def format_key_path(key_path: KeyPath) -> str:
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
