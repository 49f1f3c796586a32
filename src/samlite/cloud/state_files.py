"""What `samlite start` leaves in its state folder for other tools: `outputs.json` and `env`.

Both are written atomically (a reader never sees half a file); `env` holds the administrator's secret
key, so only its owner may read it. `outputs.json` holds the stack outputs, each under its own name,
and under `LOCAL_NAMES_KEY` the local names of the template's functions, buckets, tables, queues and
topics, so a template without Outputs still tells its user what to call. An Output's name is
alphanumeric (CloudFormation's rule), so that key can never be an output's.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

LOCAL_NAMES_KEY = "samlite:local-names"


def outputs_json(outputs: Mapping[str, Any]) -> str:
    """The outputs as `.samlite/outputs.json` holds them (for printing)."""
    return json.dumps(dict(outputs), indent=2, sort_keys=True, default=str)


def shell_exports(env: Mapping[str, str]) -> str:
    """`export NAME=value` lines (shell-quoted) for `.samlite/env`, to be `source`d by a POSIX shell."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


def write_outputs_file(
    path: Path, outputs: Mapping[str, Any], local_names: Mapping[str, Mapping[str, str]] | None = None
) -> None:
    """Write the stack outputs (and the resources' local names, when given) as a JSON object, atomically."""
    document = dict(outputs)
    if local_names is not None:
        document[LOCAL_NAMES_KEY] = {kind: dict(names) for kind, names in local_names.items()}
    _replace(path, outputs_json(document) + "\n")


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
