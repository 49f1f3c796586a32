"""The JSON shape of a catalog entry in API responses (``Entry`` in openapi.yaml)."""

from __future__ import annotations

from typing import Any

from upload_catalog.models import CatalogEntry


def entry_view(entry: CatalogEntry) -> dict[str, Any]:
    """Public fields of an entry; optional ones are omitted when unknown rather than sent as null."""
    view: dict[str, Any] = {
        "key": entry.key,
        "size": entry.size,
        "content_type": entry.content_type,
        "etag": entry.etag,
        "uploaded_at": entry.event_time,
    }
    if entry.declared_content_type:
        view["declared_content_type"] = entry.declared_content_type
    if entry.width is not None and entry.height is not None:
        view["width"] = entry.width
        view["height"] = entry.height
    if entry.version_id:
        view["version_id"] = entry.version_id
    return view
