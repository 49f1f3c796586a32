"""How an object becomes a catalog entry: HEAD, then at most the first 64 KiB, never the whole object.

The one rule of description, shared by the S3-event path (``controllers.catalog``) and the reconcile
(``controllers.reconcile_repair``), so an object catalogued from its event and one catalogued by a
reconcile carry exactly the same fields. The ranged GET names the version HEAD reported (or, for S3's
"null" version, is guarded by HEAD's ETag alone): an object replaced between the two reads is not
described from mismatched metadata and bytes.
"""

from __future__ import annotations

from upload_catalog.controllers.ports import ObjectStore
from upload_catalog.models import CatalogEntry, ObjectHead
from upload_catalog.sniffing import sniff

#: What S3 itself reports for an object uploaded without a Content-Type.
DEFAULT_CONTENT_TYPE = "binary/octet-stream"


def describe_object(
    objects: ObjectStore,
    bucket: str,
    key: str,
    head: ObjectHead,
    *,
    version_id: str | None,
    sniff_bytes: int,
    sequencer: str,
    event_time: str,
) -> CatalogEntry | None:
    """The entry of the object ``head`` describes; None when it was replaced or removed before its first
    bytes could be read (its own change then has an event, and the next reconcile sees it)."""
    data = b""
    if head.size > 0:
        prefix = objects.read_prefix(
            bucket, key, min(sniff_bytes, head.size), etag=head.etag, version_id=version_id
        )
        if prefix is None:
            return None
        data = prefix
    sniffed = sniff(data)
    return CatalogEntry(
        bucket=bucket,
        key=key,
        size=head.size,
        etag=head.etag,
        content_type=sniffed.content_type or head.content_type or DEFAULT_CONTENT_TYPE,
        declared_content_type=head.content_type,
        sequencer=sequencer,
        event_time=event_time,
        width=sniffed.width,
        height=sniffed.height,
        version_id=version_id,
    )
