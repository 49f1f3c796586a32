"""SAM's `--env-vars` file and how it overrides a function's environment.

Shape (SAM CLI, "sam local invoke --env-vars"): `{"Parameters": {"VAR": "value"}}` applies to every
function, `{"LogicalId": {"VAR": "value"}}` to one, and the function's own section wins over
`Parameters`. As in SAM CLI, only variables the function declares in the template are overridden:
an override cannot add a variable the deployed function would not have.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from samlite.errors import TemplateError

ALL_FUNCTIONS_KEY = "Parameters"


def env_value_text(value: Any, where: str) -> str:
    """A variable's value as Lambda stores it: a string (booleans as true/false, numbers as written)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if value is None:
        return ""
    raise TemplateError(f"{where}: an environment variable value must be a string, number or boolean")


def validate_env_vars(document: Any, source: str = "--env-vars") -> dict[str, dict[str, str]]:
    """Check the {section: {VAR: value}} shape and turn every value into a string."""
    if not isinstance(document, dict):
        raise TemplateError(f'{source}: must be a JSON object like {{"Parameters": {{"VAR": "value"}}}}')
    result: dict[str, dict[str, str]] = {}
    for section, variables in document.items():
        if not isinstance(variables, dict):
            raise TemplateError(
                f"{source}: section '{section}' must be an object of variable names to values"
            )
        result[str(section)] = {
            str(name): env_value_text(value, f"{source}: '{section}.{name}'")
            for name, value in variables.items()
        }
    return result


def load_env_vars_file(path: str | Path) -> dict[str, dict[str, str]]:
    """Read an --env-vars JSON file, with errors naming the file, the line or the section."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TemplateError(f"--env-vars file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read --env-vars file {path}: {exc}") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    return validate_env_vars(document, str(path))


def apply_env_overrides(
    declared: Mapping[str, str],
    overrides: Mapping[str, Mapping[str, str]] | None,
    keys: tuple[str, ...],
) -> dict[str, str]:
    """The function's environment after --env-vars; `keys` are the sections naming this function."""
    environment = dict(declared)
    if not overrides:
        return environment
    layers = [overrides.get(ALL_FUNCTIONS_KEY, {})]
    layers += [overrides[key] for key in keys if key in overrides]
    for layer in layers:
        for name, value in layer.items():
            if name in environment:
                environment[name] = value
    return environment
