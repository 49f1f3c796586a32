"""Writing a file so that a crash leaves either the old file or the new one, never half of either.

Each write goes to a temporary file in the same folder, is flushed and `fsync`ed, then renamed over
the target (a rename within one file system is atomic), and the folder itself is `fsync`ed so that the
rename survives a power cut as well as a `kill -9`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically (see the module docstring); `mode` sets its permissions."""
    write_chunks_atomically(path, (data,), mode=mode)


def write_chunks_atomically(path: Path, chunks: Iterable[bytes], *, mode: int | None = None) -> None:
    """`write_atomically` for data that comes in pieces (an object's bytes, read a block at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            if mode is not None:
                os.fchmod(stream.fileno(), mode)
            for chunk in chunks:
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """`fsync` a folder, so that the renames and removals in it are on disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_leftovers(folder: Path) -> None:
    """Remove temporary files a killed process left behind (`.<name>.<random>.tmp`)."""
    if not folder.is_dir():
        return
    for leftover in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()
