"""The statistics' rules: which scopes a catalog entry counts in, and how a change moves the totals.

Scopes (``stats_keys``): the whole bucket, each top-level prefix (the key up to and including its first
``/``; keys without one form the prefix ``""``), each content-type family (``image`` of ``image/png``,
the family the listing indexes use, ``catalog_index``), and each prefix and family together. An entry
counts once in each of its four scopes: one object and its size in bytes. Tombstones count nowhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from upload_catalog.catalog_index import media_type
from upload_catalog.controllers.describe import DEFAULT_CONTENT_TYPE
from upload_catalog.stats_keys import ALL
from upload_catalog.stats_models import Contribution, Deltas, Scope

Image = Mapping[str, Mapping[str, Any]]


def top_level_prefix(key: str) -> str:
    """``photos/`` for ``photos/2026/cat.png``; ``""`` for ``cat.png``."""
    slash = key.find("/")
    return key[: slash + 1] if slash >= 0 else ""


def family_of(content_type: str) -> str:
    """The family of a content type as the listing indexes use it (``image`` of ``image/png; x=y``); an
    entry without one counts as S3's default type, ``binary/octet-stream`` (a sort key is never empty)."""
    return media_type(content_type or DEFAULT_CONTENT_TYPE).split("/", 1)[0] or "binary"


def contribution(image: Image | None) -> Contribution | None:
    """What a catalog item (a stream image, DynamoDB JSON) counts for; None for a tombstone or nothing.

    ValueError names the attribute when the image is not a catalog item.
    """
    if not image or image.get("deleted", {}).get("BOOL"):
        return None
    bucket, key = _text(image, "bucket"), _text(image, "key")
    raw_size = image.get("size", {}).get("N")
    if raw_size is None:
        raise ValueError("the catalog entry has no size (N): not a catalog item")
    try:
        size = int(raw_size)
    except ValueError:
        raise ValueError(f"the catalog entry's size {raw_size!r} is not an integer") from None
    content_type = image.get("content_type", {}).get("S") or ""
    return Contribution(bucket, top_level_prefix(key), family_of(content_type), size)


def _text(image: Image, name: str) -> str:
    value = image.get(name, {}).get("S")
    if not isinstance(value, str) or not value:
        raise ValueError(f"the item has no {name} (S): not a catalog item")
    return value


def scopes(item: Contribution) -> tuple[Scope, ...]:
    return (
        (item.bucket, ALL, ALL),
        (item.bucket, ALL, item.family),
        (item.bucket, item.prefix, ALL),
        (item.bucket, item.prefix, item.family),
    )


def deltas(old: Contribution | None, new: Contribution | None) -> Deltas:
    """(objects, bytes) to add to each scope when an item goes from ``old`` to ``new``; no zero entries."""
    moved: dict[Scope, list[int]] = defaultdict(lambda: [0, 0])
    for item, sign in ((old, -1), (new, 1)):
        if item is not None:
            for scope in scopes(item):
                moved[scope][0] += sign
                moved[scope][1] += sign * item.size
    return {scope: (count, size) for scope, (count, size) in moved.items() if count or size}


def merge(
    total: dict[Scope, tuple[int, int]], more: dict[Scope, tuple[int, int]]
) -> dict[Scope, tuple[int, int]]:
    """The sum of two delta maps, without zero entries."""
    merged = dict(total)
    for scope, (count, size) in more.items():
        before = merged.get(scope, (0, 0))
        merged[scope] = (before[0] + count, before[1] + size)
    return {scope: value for scope, value in merged.items() if value != (0, 0)}
