"""What `samlite start` leaves in its state folder for other tools: `outputs.json` and `env`.

Both are written atomically (a reader never sees half a file); `env` holds the administrator's secret
key, so only its owner may read it.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def outputs_json(outputs: Mapping[str, Any]) -> str:
    """The outputs as `.samlite/outputs.json` holds them (for printing)."""
    return json.dumps(dict(outputs), indent=2, sort_keys=True, default=str)


def shell_exports(env: Mapping[str, str]) -> str:
    """`export NAME=value` lines (shell-quoted) for `.samlite/env`, to be `source`d by a POSIX shell."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


def write_outputs_file(path: Path, outputs: Mapping[str, Any]) -> None:
    """Write the stack outputs as a JSON object, atomically."""
    _replace(path, outputs_json(outputs) + "\n")


def write_env_file(path: Path, env: Mapping[str, str]) -> None:
    """Write the export lines of `env`, readable by the owner only."""
    _replace(path, shell_exports(dict(sorted(env.items()))), mode=0o600)


def _replace(path: Path, text: str, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text)
    if mode is not None:
        temporary.chmod(mode)
    temporary.replace(path)
