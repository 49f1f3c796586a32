"""Where a value sits in a template, for error messages that name it.

Every problem found in a template is reported as a `TemplateError` (samlite.errors) whose message names
where it is (resource logical id and property path, parameter, output or condition), so the command
line can print it as is instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from samlite.errors import TemplateError


@dataclass(frozen=True)
class Location:
    """Where a value sits in a template: `Resource 'Fn' property 'Environment.Variables.X'`."""

    section: str  # "Resource", "Output", "Condition", "Parameter", "Mapping"
    name: str
    path: tuple[str, ...] = ()

    def child(self, key: object) -> Location:
        return Location(self.section, self.name, (*self.path, str(key)))

    def describe(self) -> str:
        where = f"{self.section} '{self.name}'"
        if self.path:
            return f"{where} property '{'.'.join(self.path)}'"
        return where

    def error(self, message: str) -> TemplateError:
        return TemplateError(f"{self.describe()}: {message}")


def join_names(names: Sequence[str]) -> str:
    """A sorted, quoted list for error messages: "'A', 'B'" (or '(none)')."""
    return ", ".join(f"'{name}'" for name in sorted(names)) or "(none)"
