"""samlite's own configuration: `samlite.toml` or `[tool.samlite]` in pyproject.toml, near the template.

What a project always passes on the command line belongs in a file next to it, the way SAM CLI keeps
`samconfig.toml`. The search starts in the template's folder and goes up: the first folder holding a
`samlite.toml` or a `pyproject.toml` ends it (that folder is the project's root), and there
`samlite.toml` wins over `[tool.samlite]`. A `pyproject.toml` without a `[tool.samlite]` table means
no configuration. Relative paths in the file are relative to the file's folder. Keys:

    [tool.samlite]                       # or, in samlite.toml, the same keys at the top level
    layer-map = { "arn:aws:lambda:us-east-1:123456789012:layer:deps" = "build/deps-layer" }
    python = { "python3.13" = "/usr/local/bin/python3.13" }

- `layer-map`: layers by ARN (or by an ARN prefix, ending before the `:version`) to a local folder
  holding the layer's content, as its .zip would hold it (`python/`, `bin/`, `lib/`...);
  `--layer-map ARN_OR_PREFIX=DIR` on the command line.
- `python`: the interpreter a declared `Runtime` runs under; `--python python3.13=PATH`.

Command-line values win over the file's, key by key. A key samlite does not know is reported as a
warning naming the file and the key, so a typo is seen and a newer samlite's key does not break an
older one. New keys: add a reader to `_READERS` and a field to `ProjectConfig`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from samlite.errors import ConfigError

CONFIG_FILE = "samlite.toml"
PYPROJECT_FILE = "pyproject.toml"
LAYER_MAP_KEY = "layer-map"
PYTHON_KEY = "python"
_RUNTIME = re.compile(r"^python3\.\d+$")


def default_cache_dir() -> Path:
    """Where samlite caches what it builds (installed requirements, layers, interpreters' runtimes):
    `$SAMLITE_CACHE_DIR`, else `$XDG_CACHE_HOME/samlite`, else `~/.cache/samlite`."""
    explicit = os.environ.get("SAMLITE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "samlite"


@dataclass(frozen=True)
class ProjectConfig:
    """The configuration in effect: the file's values, then the command line's over them."""

    source: Path | None = None
    layer_map: Mapping[str, Path] = field(default_factory=dict)
    pythons: Mapping[str, Path] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def with_overrides(
        self, *, layer_map: Mapping[str, Path] | None = None, pythons: Mapping[str, Path] | None = None
    ) -> ProjectConfig:
        """This configuration with command-line values winning key by key."""
        return replace(
            self,
            layer_map={**self.layer_map, **(layer_map or {})},
            pythons={**self.pythons, **(pythons or {})},
        )


def find_config_file(start: Path) -> Path | None:
    """The configuration file for a template in (or at) `start`, or None (see the module docstring)."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / CONFIG_FILE
        if own.is_file():
            return own
        pyproject = candidate / PYPROJECT_FILE
        if pyproject.is_file():
            return pyproject
    return None


def load_project_config(template: str | Path) -> ProjectConfig:
    """The configuration of the project holding `template` (a file or its folder); empty when none."""
    path = find_config_file(Path(template))
    if path is None:
        return ProjectConfig()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    if path.name == PYPROJECT_FILE:
        table = (document.get("tool") or {}).get("samlite")
        if table is None:
            return ProjectConfig()
        where = f"{path} [tool.samlite]"
    else:
        table, where = document, str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table of settings")
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in table.items():
        reader = _READERS.get(key)
        if reader is None:
            known = ", ".join(sorted(_READERS))
            warnings.append(f"{where}: unknown key {key!r} ignored (samlite knows: {known})")
            continue
        field_name, parse = reader
        values[field_name] = parse(value, f"{where} key '{key}'", path.parent)
    return ProjectConfig(source=path, warnings=tuple(warnings), **values)


def parse_assignments(values: Sequence[str], flag: str) -> dict[str, str]:
    """`KEY=VALUE` items of a repeatable flag (`--layer-map ARN=DIR`), the error naming the flag."""
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.rpartition("=") if item.startswith("arn:") else item.partition("=")
        if not sep or not key or not value:
            raise ConfigError(f"{flag} {item!r}: expected KEY=VALUE")
        pairs[key] = value
    return pairs


def layer_map_from_flags(values: Sequence[str], base: Path | None = None) -> dict[str, Path]:
    """`--layer-map ARN_OR_PREFIX=DIR` items; relative folders are relative to `base` (the cwd)."""
    return _layer_map(parse_assignments(values, "--layer-map"), "--layer-map", base or Path.cwd())


def pythons_from_flags(values: Sequence[str], base: Path | None = None) -> dict[str, Path]:
    """`--python python3.13=PATH` items."""
    return _pythons(parse_assignments(values, "--python"), "--python", base or Path.cwd())


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f'{where}: must be a table of KEY = "VALUE" entries')
    return value


def _path(value: Any, where: str, base: Path) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: must be a path (a string), not {value!r}")
    return (base / Path(value).expanduser()).resolve()


def _layer_map(value: Any, where: str, base: Path) -> dict[str, Path]:
    mapping: dict[str, Path] = {}
    for arn, folder in _table(value, where).items():
        if not str(arn).startswith("arn:"):
            raise ConfigError(f"{where}: {arn!r} is not a layer ARN or ARN prefix (arn:aws:lambda:...)")
        mapping[str(arn)] = _path(folder, f"{where} {arn!r}", base)
    return mapping


def _pythons(value: Any, where: str, base: Path) -> dict[str, Path]:
    pythons: dict[str, Path] = {}
    for runtime, executable in _table(value, where).items():
        if not _RUNTIME.match(str(runtime)):
            raise ConfigError(f"{where}: {runtime!r} is not a Lambda Python runtime (python3.12, ...)")
        text = executable if isinstance(executable, str) else None
        # A bare command name ("python3.13") is looked up on PATH later; a path is made absolute.
        is_name = text is not None and os.sep not in text and not text.startswith(".")
        pythons[str(runtime)] = Path(text) if is_name and text else _path(executable, where, base)
    return pythons


_Reader = tuple[str, Callable[[Any, str, Path], Any]]
_READERS: dict[str, _Reader] = {
    LAYER_MAP_KEY: ("layer_map", _layer_map),
    PYTHON_KEY: ("pythons", _pythons),
}
