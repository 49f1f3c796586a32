"""The state folder's format: commits are whole or absent, unchanged content writes nothing, a folder
is held by one samlite at a time, and nothing unreadable is taken for state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samlite.errors import StateError
from samlite.persistence.state_folder import MANIFEST, SnapshotInfo, StateFolder

INFO = SnapshotInfo("stack", "us-east-1", "123456789012")


def test_a_commit_names_only_whole_files_and_an_unchanged_one_writes_nothing(tmp_path: Path) -> None:
    folder = StateFolder(tmp_path / "state").open()
    try:
        blob = folder.write_blob([b"hello ", b"world"])
        assert folder.commit(INFO, {"s3": {"buckets": [blob]}}, {blob})
        written = {
            path: path.stat().st_mtime_ns for path in (tmp_path / "state").rglob("*") if path.is_file()
        }
        assert not folder.commit(INFO, {"s3": {"buckets": [blob]}}, {blob})  # nothing changed
        assert {p: p.stat().st_mtime_ns for p in written} == written
        assert folder.read_blob(blob) == b"hello world"
        assert not list((tmp_path / "state").rglob("*.tmp"))
        # A new content replaces the section file; the blob nothing names any more is removed.
        assert folder.commit(INFO, {"s3": {"buckets": []}}, set())
        assert not list((tmp_path / "state" / "blobs").rglob(blob))
        assert len(list((tmp_path / "state").glob("s3-*.json"))) == 1
    finally:
        folder.close()
    again = StateFolder(tmp_path / "state").open()
    try:
        snapshot = again.load(["s3"])
        assert snapshot is not None and snapshot.sections["s3"]["buckets"] == [] and snapshot.info == INFO
    finally:
        again.close()


def test_leftovers_of_a_killed_write_are_removed_and_the_last_commit_stands(tmp_path: Path) -> None:
    folder = StateFolder(tmp_path / "state").open()
    folder.commit(INFO, {"s3": {"buckets": ["kept"]}}, set())
    folder.write_blob([b"never committed"])  # the process dies before the next commit
    folder.close()
    (tmp_path / "state" / ".manifest.json.abc.tmp").write_text("half")
    reopened = StateFolder(tmp_path / "state").open()
    try:
        assert not list((tmp_path / "state").rglob("*.tmp"))
        snapshot = reopened.load(["s3"])
        assert snapshot is not None and snapshot.sections["s3"]["buckets"] == ["kept"]
    finally:
        reopened.close()


def test_a_folder_is_held_by_one_samlite_at_a_time(tmp_path: Path) -> None:
    held = StateFolder(tmp_path / "state").open()
    try:
        with pytest.raises(StateError, match=r"in use by another samlite .*--state-dir"):
            StateFolder(tmp_path / "state").open()
    finally:
        held.close()
    StateFolder(tmp_path / "state").open().close()


def test_a_section_this_samlite_does_not_know_is_refused_not_dropped(tmp_path: Path) -> None:
    folder = StateFolder(tmp_path / "state").open()
    try:
        folder.commit(INFO, {"future": {"x": 1}}, set())
        with pytest.raises(StateError, match=r"section 'future' this samlite does not know.*--reset-state"):
            folder.load(["s3"])
        manifest = json.loads((tmp_path / "state" / MANIFEST).read_text())
        assert manifest["format"] == "samlite-state" and manifest["version"] == 1
    finally:
        folder.close()
