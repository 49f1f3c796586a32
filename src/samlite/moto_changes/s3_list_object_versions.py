"""ListObjectVersions reads the versions it lists instead of deep-copying every version in the bucket.

moto 5.2.5's `S3Backend.list_object_versions` starts with `copy.deepcopy` of every version of every
key in the bucket (a FakeKey's copy reads and rewrites its whole content), then sorts them all and
walks the list for one page. On a bucket of ~200 MiB each call copies ~200 MiB, so memory grows with
every call (the copies' spooled files are freed late), and a copy racing a concurrent write of the
same key reads a disposed buffer and fails with a 500 (`TypeError: 'NoneType' object is not iterable`).

This change answers from moto's own objects, never copied, wrapped in a view that carries the
`is_latest` flag moto sets on its copies, and touches only the keys of the page's prefix: it sorts the
key names (cheap), walks the keys of the prefix from the marker on, and sorts each key's versions as
moto does (newest first by last-modified millisecond, ties in storage order). The walk over those
versions is moto's own loop, kept line for line so the answers match moto's, quirks included:
pagination (KeyMarker alone skips every key before it and the newest version of the first key at or
after it; with VersionIdMarker, everything up to and including that version), delimiters and common
prefixes, MaxKeys, NextKeyMarker / NextVersionIdMarker. A property test compares both on random
buckets and requests (`moto_listing_only()` switches this path off for it).

Anything unusual (a bucket whose key store is not moto's `_VersionedKeyStore`, a non-string prefix or
an error in the fast path) is answered by moto's own code, unchanged.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_lock = threading.Lock()
_disabled = 0


class _Listed:
    """A version as the listing shows it: moto's object (not a copy) and its `is_latest` flag."""

    __slots__ = ("_version", "is_latest")

    def __init__(self, version: Any, is_latest: bool) -> None:
        self._version = version
        self.is_latest = is_latest

    def __getattr__(self, name: str) -> Any:
        return getattr(self._version, name)

    @property
    def wrapped(self) -> Any:
        return self._version


@contextlib.contextmanager
def moto_listing_only() -> Iterator[None]:
    """Answer ListObjectVersions with moto's own code while inside (process-wide), for comparisons."""
    global _disabled  # noqa: PLW0603
    with _lock:
        _disabled += 1
    try:
        yield
    finally:
        with _lock:
            _disabled -= 1


@dataclass(frozen=True)
class _Start:
    """Where moto's pagination lets the listing begin: the first key name to read, the key whose
    newest version is skipped (KeyMarker alone), the version after which it starts (VersionIdMarker)."""

    first: int
    skip_newest_of: str | None = None
    after: str | None = None


def _start(
    names: list[str], store: dict[str, list[Any]], prefix: str, key_marker: str | None, marker: str | None
) -> _Start | None:
    """moto's skipping, worked out on the sorted key names; None when it skips everything."""
    prefix_start = bisect.bisect_left(names, prefix)
    if key_marker is None:
        return _Start(prefix_start)
    at = bisect.bisect_left(names, key_marker)
    if not marker:  # moto skips every version before the marker and the first one at or after it
        return _Start(max(at, prefix_start), skip_newest_of=names[at] if at < len(names) else None)
    if at >= len(names) or names[at] != key_marker:
        return None  # moto never finds the marker's version
    if at >= prefix_start:
        return _Start(at, after=marker)
    # The marker's key comes before the prefix's keys: its version only has to exist.
    found = any(version.version_id == marker for version in store[names[at]])
    return _Start(prefix_start) if found else None


def _candidates(
    store: dict[str, list[Any]], prefix: str, key_marker: str | None, version_id_marker: str | None
) -> Iterator[tuple[Any, bool]]:
    """(version, is_latest) in moto's order from where moto's pagination starts, keys of `prefix` only."""
    from moto.core.utils import unix_time_millis

    names = sorted(name for name, versions in store.items() if versions)
    start = _start(names, store, prefix, key_marker, version_id_marker)
    if start is None:
        return
    after = start.after
    for name in names[start.first :]:
        if not name.startswith(prefix):
            return  # sorted: the keys of a prefix are contiguous
        versions = sorted(list(store[name]), key=lambda version: -unix_time_millis(version.last_modified))
        for index, version in enumerate(versions):
            if after is not None:
                if version.version_id == after:
                    after = None
                continue
            if index == 0 and name == start.skip_newest_of:
                continue
            yield version, index == 0
        if after is not None:
            return  # the marker's version is not among its key's versions: moto skips everything


def _listing(
    store: dict[str, list[Any]],
    *,
    delimiter: str | None,
    key_marker: str | None,
    max_keys: int | None,
    prefix: str,
    version_id_marker: str | None,
) -> tuple[list[Any], list[str], list[Any], str | None, str | None]:
    """moto's loop of `list_object_versions` (the same statements, in the same order), over the
    candidates of the page instead of deep copies of the whole bucket."""
    from moto.s3.models import FakeKey

    common_prefixes: set[str] = set()
    requested_versions: list[Any] = []
    delete_markers: list[Any] = []
    next_key_marker: str | None = None
    next_version_id_marker: str | None = None
    last_item_added: Any = None
    for original, is_latest in _candidates(store, prefix, key_marker, version_id_marker):
        version = _Listed(original, is_latest)
        name = original.name
        is_common_prefix = False
        if delimiter and delimiter in name[len(prefix) :]:
            end_of_delimiter = len(prefix) + name[len(prefix) :].index(delimiter) + len(delimiter)
            prefix_including_delimiter = name[0:end_of_delimiter]
            if prefix_including_delimiter == key_marker:
                continue
            common_prefixes.add(prefix_including_delimiter)
            name = prefix_including_delimiter
            is_common_prefix = True
        elif last_item_added:
            name = last_item_added.name
        if (
            max_keys is not None
            and len(requested_versions) + len(delete_markers) + len(common_prefixes) >= max_keys
        ):
            next_key_marker = name
            if is_common_prefix:
                next_version_id_marker = None
            elif last_item_added is not None:
                next_version_id_marker = last_item_added.version_id
            else:
                next_version_id_marker = None
            break
        if not is_common_prefix:
            last_item_added = version
            if not isinstance(original, FakeKey):
                delete_markers.append(version)
            else:
                requested_versions.append(version)
    return (
        requested_versions,
        sorted(common_prefixes),
        delete_markers,
        next_key_marker,
        next_version_id_marker,
    )


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def list_object_versions(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _disabled:
            return original(self, *args, **kwargs)
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        request = dict(bound.arguments)
        bucket = self.get_bucket(request["bucket_name"])  # NoSuchBucket as moto raises it
        keys = getattr(bucket, "keys", None)
        if (
            not isinstance(request["prefix"], str)
            or not isinstance(keys, dict)
            or not hasattr(keys, "getlist")
        ):
            return original(self, *args, **kwargs)
        store = dict.copy(keys)  # the version lists as stored (moto replaces a key's list on write)
        try:
            return _listing(
                store,
                delimiter=request["delimiter"],
                key_marker=request["key_marker"],
                max_keys=request["max_keys"],
                prefix=request["prefix"],
                version_id_marker=request["version_id_marker"],
            )
        except (AttributeError, TypeError):
            return original(self, *args, **kwargs)

    list_object_versions._samlite_fast_listing = True  # type: ignore[attr-defined]
    return list_object_versions


CHANGE = MotoChange(
    name="s3-list-object-versions",
    reason="moto deep-copies every version in the bucket on every ListObjectVersions",
    patches=(
        Patch(
            Target(
                "moto.s3.models:S3Backend.list_object_versions",
                "(self, bucket_name, delimiter=None, key_marker=None, max_keys=1000, prefix='', "
                "version_id_marker=None)",
            ),
            _wrap,
        ),
    ),
    service="s3",
)
