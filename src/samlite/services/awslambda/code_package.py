"""A function's deployment package, made from its local code: what GetFunction's `Code.Location`
downloads, and what `CodeSize` and `CodeSha256` describe.

On Lambda these describe the .zip that was uploaded; locally the code is a directory, so samlite zips
it the way `sam build` packages it (every file under CodeUri but samlite's and version control's dot
folders and Python's byte-code caches), deterministically (sorted, fixed timestamps), so the same code
gives the same hash and a download hashes to the `CodeSha256` reported beside it. A package is made on
first use and made again when a file under CodeUri changes (its path, size or modification time).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date: the same bytes on every run
_SKIPPED_DIRS = frozenset({"__pycache__"})


@dataclass(frozen=True)
class CodePackage:
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        """Base64 of the package's SHA-256, as Lambda's `CodeSha256`."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode("ascii")


def _files(root: Path) -> list[tuple[str, Path, os.stat_result]]:
    found = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(directory) / name
            try:
                stat = path.stat()
            except OSError:  # removed while walking, or a dangling link
                continue
            found.append((path.relative_to(root).as_posix(), path, stat))
    return found


def build_package(root: Path) -> CodePackage:
    """A .zip of the directory `root` (see the module docstring for what goes in)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path, stat in _files(root):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = (stat.st_mode & 0o777 | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return CodePackage(buffer.getvalue())


class CodePackages:
    """Packages by code directory, remade when the directory's files change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[Path, tuple[tuple[tuple[str, int, int], ...], CodePackage]] = {}

    def package(self, root: Path) -> CodePackage:
        root = Path(root).resolve()
        fingerprint = tuple((name, stat.st_size, stat.st_mtime_ns) for name, _, stat in _files(root))
        with self._lock:
            made = self._made.get(root)
            if made is not None and made[0] == fingerprint:
                return made[1]
        package = build_package(root)
        with self._lock:
            self._made[root] = (fingerprint, package)
        return package
