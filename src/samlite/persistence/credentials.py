"""The administrator's access key, kept in the state folder so that every start of a stack hands out
the same one.

A client that kept running while `samlite start` was restarted (a shell with `.samlite/env` sourced,
a script, an IDE's AWS explorer) holds the key of the previous start; if the new start made a new key,
every call of that client would fail with InvalidAccessKeyId. So the first start of a stack keeps the
key moto made in `<state dir>/credentials.json` (readable by its owner only, as `.samlite/env` is),
and later starts give the administrator that key again (`samlite.iam.admin.create_admin`).

The key is kept rather than derived from the stack name (as API keys are): a secret anyone could
compute from the stack name would let any local process, or any host when bound beyond loopback, act
as the administrator. Deleting the file gives the next start a new key. The file is independent of
`--persist` and `--reset-state`: credentials are not the stack's state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from samlite.errors import StateError
from samlite.model import Credentials
from samlite.persistence.files import write_atomically

CREDENTIALS_FILE = "credentials.json"
_FORMAT = "samlite-credentials"
_VERSION = 1


def credentials_path(state_dir: Path) -> Path:
    return Path(state_dir) / CREDENTIALS_FILE


def load_admin_key(state_dir: Path, stack_name: str) -> Credentials | None:
    """The key an earlier start of `stack_name` handed out, or None (first start, or file deleted).

    A file that cannot be read as this samlite wrote it stops the start (StateError naming it) rather
    than being replaced: replacing it would change the key under the user's clients."""
    path = credentials_path(state_dir)
    stacks = _read(path)
    entry = stacks.get(stack_name)
    if entry is None:
        return None
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(name), str) and entry.get(name) for name in ("AccessKeyId", "SecretAccessKey")
    ):
        raise _unreadable(path, f"the entry of stack {stack_name!r} lacks AccessKeyId or SecretAccessKey")
    return Credentials(entry["AccessKeyId"], entry["SecretAccessKey"])


def save_admin_key(state_dir: Path, stack_name: str, key: Credentials) -> None:
    """Keep `key` as the administrator's key of `stack_name` (other stacks' keys stay)."""
    path = credentials_path(state_dir)
    stacks = _read(path)
    stacks[stack_name] = {"AccessKeyId": key.access_key_id, "SecretAccessKey": key.secret_access_key}
    document = {"format": _FORMAT, "version": _VERSION, "stacks": stacks}
    write_atomically(path, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode(), mode=0o600)


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise _unreadable(path, str(error)) from error
    try:
        document = json.loads(text)
    except ValueError as error:
        raise _unreadable(path, f"not JSON ({error})") from error
    if not isinstance(document, dict) or document.get("format") != _FORMAT:
        raise _unreadable(path, "not a samlite credentials file")
    if document.get("version") != _VERSION:
        raise _unreadable(path, f"format version {document.get('version')!r}, this samlite reads {_VERSION}")
    stacks = document.get("stacks")
    if not isinstance(stacks, dict):
        raise _unreadable(path, "no 'stacks' object")
    return stacks


def _unreadable(path: Path, reason: str) -> StateError:
    return StateError(
        f"the saved administrator credentials {path} cannot be read ({reason}): delete the file to "
        "have samlite start make new ones"
    )
