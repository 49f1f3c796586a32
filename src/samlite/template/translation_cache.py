"""SAM translations remembered on disk, so that starting an unchanged template skips samtranslator.

Importing aws-sam-translator (with pydantic and jsonschema, which it pulls in) is the largest single
part of `samlite start`'s import time, and ~16 MiB of the idle process; translating the template
costs as much again. The translation is a pure function of what it is given: the prepared template
(local code paths already replaced, local OpenAPI files already inlined, so their contents are in it),
the parameter values, the region and the translator's version. Its answer is stored under the SHA-256
of exactly these, so any change to any of them (an edited template or OpenAPI file, another
parameter, a new aws-sam-translator) is a miss and translates afresh; a hit is the translator's own
earlier answer, byte for byte.

Only successful translations are stored (an invalid template raises on every start, with the
translator's message). The cache is an optimisation and never a source of errors: an unreadable,
corrupt or unwritable cache is a miss. Where it lives: `$SAMLITE_CACHE_DIR/translations`, else
`$XDG_CACHE_HOME/samlite/translations`, else `~/.cache/samlite/translations`;
`SAMLITE_CACHE_DIR=off` turns it off. The newest `MAX_ENTRIES` answers are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

MAX_ENTRIES = 64
_FORMAT = 1  # bump when what is stored, or how the key is made, changes
_OFF = "off"


def cache_dir() -> Path | None:
    """The directory translations are kept in, or None when the cache is turned off."""
    chosen = os.environ.get("SAMLITE_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in (_OFF, "") else Path(chosen) / "translations"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "samlite" / "translations"


@cache
def translator_version() -> str:
    """aws-sam-translator's installed version, read from its metadata (importing it is what a hit
    avoids)."""
    return metadata.version("aws-sam-translator")


def key(prepared: dict[str, Any], parameter_values: dict[str, Any], region: str) -> str | None:
    """The cache key of one translation, or None when its inputs are not plain JSON data (then no
    key could tell two inputs apart for sure, and the translation is not cached)."""
    try:
        text = json.dumps(
            [_FORMAT, translator_version(), region, parameter_values, prepared],
            sort_keys=True,
            separators=(",", ":"),
            allow_nan=False,
        )
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode()).hexdigest()


def load(cache_key: str) -> dict[str, Any] | None:
    """The translation stored under `cache_key`, or None (absent, unreadable or corrupt)."""
    directory = cache_dir()
    if directory is None:
        return None
    path = directory / f"{cache_key}.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("key") != cache_key:
        return None
    template = document.get("template")
    if not isinstance(template, dict):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest by _prune
    return template


def store(cache_key: str, template: dict[str, Any]) -> None:
    """Keep `template` under `cache_key`, when JSON gives it back unchanged; never raises."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        text = json.dumps({"key": cache_key, "template": template}, allow_nan=False)
    except (TypeError, ValueError):
        return
    if json.loads(text)["template"] != template:  # tuples, non-string keys: a hit would differ
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader (another samlite starting) sees the whole file or none.
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, directory / f"{cache_key}.json")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _prune(directory)
    except OSError:
        return


def _prune(directory: Path) -> None:
    entries = []
    for path in directory.glob("*.json"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime, path))
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            path.unlink()
