"""moto's list of a service's regions, remembered on disk instead of read from botocore's data each start.

The first time a process touches a moto backend (`s3_backends[account]`), moto lists the service's
regions with boto3 (`AccountSpecificBackend._generate_regions`): botocore parses its endpoints file
(~7 MiB once parsed) and the service's whole API model (1-2 MiB each, for its endpoint prefix), and
keeps both for the life of the process. For the services of a template such as upload-catalog's, that
is ~13 MiB of the idle process and ~0.1 s of start-up, spent on an answer that only changes with
botocore's data. So the answer is kept per service in a small file keyed by what it depends on
(boto3's and botocore's versions, `AWS_DATA_PATH`, and whether `~/.aws/models` exists), next to
samlite's other caches (`SAMLITE_CACHE_DIR=off` keeps it in memory only). A service not in the file is
listed by moto's own code, and the file gains it: the answer is always moto's.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from samlite.config import default_cache_dir
from samlite.moto_changes.seam import MotoChange, Patch, Target

_FORMAT = 1  # bump when what is stored, or how the key is made, changes
_lock = threading.Lock()
_known: dict[str, list[str]] | None = None


def cache_file() -> Path | None:
    """The file the region lists live in, or None when samlite's caches are turned off."""
    chosen = os.environ.get("SAMLITE_CACHE_DIR")
    if chosen is not None and chosen.strip().lower() in ("off", ""):
        return None
    models = Path.home() / ".aws" / "models"
    inputs = [
        _FORMAT,
        metadata.version("boto3"),
        metadata.version("botocore"),
        os.environ.get("AWS_DATA_PATH", ""),
        models.is_dir(),
    ]
    digest = hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:24]
    return default_cache_dir() / "moto-regions" / f"{digest}.json"


def _read(path: Path | None) -> dict[str, list[str]]:
    if path is None:
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict):
        return {}
    return {
        service: regions
        for service, regions in document.items()
        if isinstance(regions, list) and all(isinstance(region, str) for region in regions)
    }


def _write(path: Path | None, known: dict[str, list[str]]) -> None:
    """Written aside and renamed (another samlite may read it meanwhile); a cache never raises."""
    if path is None:
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(known, out, sort_keys=True)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def _remembered(original: Callable[[Any, str], list[str]]) -> Callable[[Any, str], list[str]]:
    @functools.wraps(original)
    def _generate_regions(self: Any, service_name: str) -> list[str]:
        global _known  # noqa: PLW0603 (one answer per service for the whole process, as moto's own)
        with _lock:
            if _known is None:
                _known = _read(cache_file())
            regions = _known.get(service_name)
        if regions is not None:
            return list(regions)
        regions = list(original(self, service_name))
        with _lock:
            path = cache_file()
            known = {**_read(path), **(_known or {}), service_name: regions}
            _known = known
            _write(path, known)
        return list(regions)

    return _generate_regions


def forget() -> None:
    """Read the file afresh on the next backend (tests point SAMLITE_CACHE_DIR elsewhere)."""
    global _known  # noqa: PLW0603
    with _lock:
        _known = None


CHANGE = MotoChange(
    name="backend-regions",
    reason="moto lists a service's regions from botocore's endpoint data and API model, kept in memory",
    patches=(
        Patch(
            Target("moto.core.base_backend:AccountSpecificBackend._generate_regions", "(self, service_name)"),
            _remembered,
        ),
    ),
    on_apply=forget,
)
