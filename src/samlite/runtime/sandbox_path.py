"""The Python path a worker sees: its code, its own dependencies, and what Lambda's runtime ships.

On Lambda a Python function can import its deployment package (`/var/task`, first on the path), its
layers, the runtime interface client and the AWS SDK (boto3/botocore) bundled with the runtime, and
the standard library. Nothing else. samlite's own virtualenv holds far more (moto, PyYAML, pytest,
...), and a function that imports `yaml` by accident must fail locally as it would on AWS.

So a worker runs with `python -S` (no site-packages, no `.pth` processing: also faster to start)
and a `PYTHONPATH` of: CodeUri, the requirements cache for it, then a "runtime directory" of symlinks
to exactly the distributions Lambda provides (awslambdaric, boto3 and their requirements), built
once per `LambdaRuntime` from the installed metadata. debugpy is put on the path only for the worker
being debugged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

# What the Lambda Python runtime provides besides the standard library.
RUNTIME_DISTRIBUTIONS = ("awslambdaric", "boto3")
DEBUG_DISTRIBUTIONS = ("debugpy",)

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class RuntimePathError(RuntimeError):
    """A distribution that workers need is not installed alongside samlite."""


def _requirement_names(dist: metadata.Distribution) -> list[str]:
    names = []
    for requirement in dist.requires or ():
        if "extra ==" in requirement.replace('"', "'").replace("  ", " "):
            continue
        match = _NAME.match(requirement)
        if match:
            names.append(match.group(1))
    return names


def distribution_closure(roots: Iterable[str]) -> list[metadata.Distribution]:
    """The named distributions and everything they require (without extras), each once."""
    seen: dict[str, metadata.Distribution] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise RuntimePathError(
                f"samlite workers need the Python distribution {name!r}, which is not installed"
            ) from exc
        seen[key] = dist
        pending.extend(_requirement_names(dist))
    return list(seen.values())


def _top_level_entries(dist: metadata.Distribution) -> set[Path]:
    """Absolute paths of a distribution's top-level modules, packages and metadata directory."""
    entries: set[Path] = set()
    for first, single in _first_parts(dist):
        if first in ("..", "__pycache__") or first.endswith(".data"):
            continue
        if single and not (first.endswith(".py") or ".so" in first or first.endswith(".pyd")):
            continue
        entries.add(Path(dist.locate_file(first)))
    return entries


def _first_parts(dist: metadata.Distribution) -> set[tuple[str, bool]]:
    """Each installed file's first path part, and whether it is the whole path.

    Read straight from the wheel's RECORD (one CSV row per file, `/`-separated paths, as the wheel
    specification writes it) when there is one: `dist.files` makes a path object of every row, and
    botocore alone has thousands, which made building a worker's path ~0.4 s of `samlite start`.
    Other installs (egg-info's SOURCES.txt, installed-files.txt) go through `dist.files`.
    """
    record = dist.read_text("RECORD")
    if record is None:
        return {(file.parts[0], len(file.parts) == 1) for file in dist.files or () if file.parts}
    found: set[tuple[str, bool]] = set()
    for row in csv.reader(record.splitlines()):
        if row and row[0]:
            first, slash, _ = row[0].lstrip("/").partition("/")
            found.add((first, not slash))
    return found


def build_runtime_dir(target: Path, roots: Iterable[str]) -> Path:
    """Fill `target` with symlinks to the top-level entries of `roots` and their requirements."""
    target.mkdir(parents=True, exist_ok=True)
    for dist in distribution_closure(roots):
        for entry in _top_level_entries(dist):
            link = target / entry.name
            if not link.exists() and entry.exists():
                link.symlink_to(entry, target_is_directory=entry.is_dir())
    return target
