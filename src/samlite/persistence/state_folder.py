"""The state folder (`.samlite/state/`): the snapshot's files, written so that a crash never leaves a
mixture of two snapshots, and read so that nothing corrupt is ever taken for state.

Format version 1 (`FORMAT_VERSION`; any change to what a file holds gives a new version):

    .samlite/state/
      manifest.json          {"format": "samlite-state", "version": 1, "stack": ..., "region": ...,
                              "account": ..., "saved_at": ISO time,
                              "sections": {"s3": {"file": "s3-<hash>.json", "sha256": ...}, ...}}
      <section>-<hash>.json  one service's state: what its APIs would show (see each section module)
      blobs/<xx>/<sha256>    object bytes, named by their SHA-256 (the same bytes are kept once)
      .lock                  held by the samlite process persisting here (pid inside)

A snapshot is committed by renaming a new `manifest.json` over the old one, after every file it names
is on disk (each written to a temporary file, fsynced, renamed; see `files`); files and blobs no
manifest names any more are removed after the commit. So a `kill -9` at any moment leaves the previous
snapshot or the new one, whole. A section whose content did not change keeps its file, and a snapshot
where nothing changed writes nothing.

Reading checks everything: the manifest's format and version, the stack and region it belongs to,
every section file against its SHA-256, and every blob against its name when it is read. Anything
that does not check out raises `StateError` naming the file, and saying `--reset-state`: a snapshot is
never silently discarded.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from samlite.errors import StateError
from samlite.persistence.files import remove_leftovers, sync_folder, write_atomically

FORMAT_NAME = "samlite-state"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BLOBS = "blobs"
LOCK = ".lock"
STATE_FOLDER = "state"
_SYNC_THREADS = 16  # fsyncs in flight at once (they wait on the disk, not on the CPU)
RESET_HINT = "start with --reset-state to discard it"


def state_folder_of(state_dir: Path) -> Path:
    """`<state dir>/state`: where `--persist` keeps the snapshot (`.samlite/state` by default)."""
    return Path(state_dir) / STATE_FOLDER


@dataclass(frozen=True)
class SnapshotInfo:
    """Whose snapshot it is: a snapshot belongs to one stack in one region and account."""

    stack: str
    region: str
    account: str


@dataclass
class Snapshot:
    """A snapshot as read: its owner, when it was saved, and each section's content."""

    info: SnapshotInfo
    saved_at: str
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)


class StateFolder:
    """One state folder, held by this process while it is open (`open()` ... `close()`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock: IO[str] | None = None
        self._committed: dict[str, dict[str, str]] = {}  # section -> {"file", "sha256"} on disk
        self._blobs: set[str] | None = None  # SHA-256 of the blobs on disk (listed once)
        self._pending: dict[str, Path] = {}  # blobs written since the last commit: digest -> temporary

    # -- holding the folder --------------------------------------------------------------------------

    def open(self) -> StateFolder:
        """Create the folder if needed and hold its lock; another samlite persisting here is refused."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = (self.path / LOCK).open("a+", encoding="utf-8")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            raise StateError(
                f"the state folder {self.path} is in use by another samlite (pid {holder}): stop it, or "
                "give this one another --state-dir"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        self._lock = lock
        remove_leftovers(self.path)
        remove_leftovers(self.path / BLOBS)
        return self

    def close(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
            lock.close()

    # -- reading ---------------------------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.path / MANIFEST).is_file()

    def load(self, known_sections: Iterable[str]) -> Snapshot | None:
        """The committed snapshot, checked (see the module docstring), or None when there is none."""
        manifest_path = self.path / MANIFEST
        if not manifest_path.is_file():
            self._committed = {}
            return None
        manifest = _read_json(manifest_path)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
            raise _corrupt(manifest_path, "it is not a samlite state manifest")
        version = manifest.get("version")
        if version != FORMAT_VERSION:
            raise StateError(
                f"saved state {manifest_path} has format version {version!r}; this samlite reads version "
                f"{FORMAT_VERSION}: start it with the samlite that saved it, or {RESET_HINT}"
            )
        try:
            info = SnapshotInfo(str(manifest["stack"]), str(manifest["region"]), str(manifest["account"]))
            saved_at = str(manifest["saved_at"])
            entries = dict(manifest["sections"])
        except (KeyError, TypeError, ValueError) as error:
            raise _corrupt(manifest_path, f"field {error} is missing or malformed") from error
        known = set(known_sections)
        snapshot = Snapshot(info, saved_at)
        committed: dict[str, dict[str, str]] = {}
        for name, entry in sorted(entries.items()):
            if name not in known:
                raise StateError(
                    f"saved state {manifest_path} holds a section {name!r} this samlite does not know (saved "
                    f"by a newer samlite?): start it with the samlite that saved it, or {RESET_HINT}"
                )
            if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
                raise _corrupt(manifest_path, f"section {name!r} has no file")
            section_path = self.path / entry["file"]
            if section_path.parent != self.path:
                raise _corrupt(manifest_path, f"section {name!r} names a file outside the folder")
            try:
                data = section_path.read_bytes()
            except OSError as error:
                raise _corrupt(section_path, f"it cannot be read: {error.strerror or error}") from error
            if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
                raise _corrupt(section_path, "its content does not match the manifest's checksum")
            content = _parse_json(section_path, data)
            if not isinstance(content, dict) or content.get("section") != name:
                raise _corrupt(section_path, f"it is not the {name!r} section")
            snapshot.sections[name] = content
            committed[name] = {"file": entry["file"], "sha256": entry["sha256"]}
        self._committed = committed
        return snapshot

    def read_blob(self, digest: str) -> bytes:
        """The bytes of a blob, checked against their name."""
        path = self._blob_path(digest)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise _corrupt(path, f"the object's bytes cannot be read: {error.strerror or error}") from error
        if hashlib.sha256(data).hexdigest() != digest:
            raise _corrupt(path, "the object's bytes do not match their checksum")
        return data

    # -- writing ---------------------------------------------------------------------------------------

    def has_blob(self, digest: str) -> bool:
        return digest in self._known_blobs() or digest in self._pending

    def write_blob(self, chunks: Iterable[bytes]) -> str:
        """Store bytes given in pieces as a blob; returns its SHA-256 (the same bytes are kept once).

        The bytes go to a temporary file now; the next `commit` fsyncs every such file (in parallel:
        one fsync after another costs a few milliseconds each), renames each to its name and fsyncs
        the folders, all before the manifest names any of them. So a blob on disk under its name is
        whole, and a snapshot names only blobs on disk."""
        folder = self.path / BLOBS
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".blob.", suffix=".tmp")
        hasher = hashlib.sha256()
        try:
            with os.fdopen(descriptor, "wb") as stream:
                for chunk in chunks:
                    hasher.update(chunk)
                    stream.write(chunk)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        digest = hasher.hexdigest()
        if digest in self._known_blobs() or digest in self._pending:
            os.unlink(temporary)
        else:
            self._pending[digest] = Path(temporary)
        return digest

    def _settle_blobs(self) -> None:
        """fsync, rename and fsync the folders of the blobs written since the last commit."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        with ThreadPoolExecutor(max_workers=_SYNC_THREADS) as pool:
            list(pool.map(_fsync_file, pending.values()))
        folders = set()
        for digest, temporary in pending.items():
            target = self._blob_path(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, target)
            folders.add(target.parent)
            self._known_blobs().add(digest)
        folders.add(self.path / BLOBS)
        with ThreadPoolExecutor(max_workers=_SYNC_THREADS) as pool:
            list(pool.map(sync_folder, sorted(folders)))

    def commit(self, info: SnapshotInfo, sections: Mapping[str, Mapping[str, Any]], blobs: set[str]) -> bool:
        """Make `sections` the snapshot (see the module docstring); `blobs` are the blobs it refers to,
        every other blob is removed. False when nothing changed (nothing was written)."""
        self._settle_blobs()
        entries: dict[str, dict[str, str]] = {}
        changed = False
        for name, content in sorted(sections.items()):
            data = (
                json.dumps({"section": name, **content}, sort_keys=True, separators=(",", ":")) + "\n"
            ).encode()
            digest = hashlib.sha256(data).hexdigest()
            previous = self._committed.get(name)
            if previous is not None and previous["sha256"] == digest:
                entries[name] = previous
                continue
            file_name = f"{name}-{digest[:16]}.json"
            write_atomically(self.path / file_name, data)
            entries[name] = {"file": file_name, "sha256": digest}
            changed = True
        if not changed and set(entries) == set(self._committed) and (self.path / MANIFEST).is_file():
            return False
        manifest = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "stack": info.stack,
            "region": info.region,
            "account": info.account,
            "saved_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "sections": entries,
        }
        write_atomically(
            self.path / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
        )
        self._committed = entries
        self._remove_unreferenced({entry["file"] for entry in entries.values()}, blobs)
        return True

    def reset(self) -> int:
        """Remove the snapshot (manifest, sections, blobs); returns how many files went."""
        removed = 0
        for child in self.path.iterdir():
            if child.name == LOCK:
                continue
            if child.is_dir():
                removed += sum(1 for item in child.rglob("*") if item.is_file())
                shutil.rmtree(child)
            else:
                child.unlink()
                removed += 1
        sync_folder(self.path)
        self._committed = {}
        self._blobs = set()
        self._pending = {}
        return removed

    # -- inside ----------------------------------------------------------------------------------------

    def _blob_path(self, digest: str) -> Path:
        return self.path / BLOBS / digest[:2] / digest

    def _known_blobs(self) -> set[str]:
        if self._blobs is None:
            folder = self.path / BLOBS
            self._blobs = (
                {item.name for item in folder.glob("??/*") if item.is_file() and len(item.name) == 64}
                if folder.is_dir()
                else set()
            )
        return self._blobs

    def _remove_unreferenced(self, files: set[str], blobs: set[str]) -> None:
        for child in self.path.glob("*.json"):
            if child.name != MANIFEST and child.name not in files:
                with contextlib.suppress(OSError):
                    child.unlink()
        known = self._known_blobs()
        for digest in known - blobs:
            with contextlib.suppress(OSError):
                self._blob_path(digest).unlink()
            known.discard(digest)


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _read_json(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _corrupt(path, f"it cannot be read: {error.strerror or error}") from error
    return _parse_json(path, data)


def _parse_json(path: Path, data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError as error:
        raise _corrupt(path, f"it is not valid JSON ({error})") from error


def _corrupt(path: Path, reason: str) -> StateError:
    return StateError(f"saved state {path} is corrupt ({reason}): {RESET_HINT}")
