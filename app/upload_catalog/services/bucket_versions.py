"""ListObjectVersions of the uploads bucket, one page at a time, as the reconcile walks it.

S3 returns versions and delete markers in two lists, each in key order and, within a key, newest first;
the first entry of a key carries ``IsLatest`` (Amazon S3 API Reference, ListObjectVersions). Only those
entries matter to the reconcile: a key's current object, or a delete marker saying it has none. A page
is resumed after S3's own (``NextKeyMarker``, ``NextVersionIdMarker``) position, never after a key
alone, which S3 and emulators read differently. Needs ``s3:ListBucketVersions`` on the bucket.
"""

from __future__ import annotations

from typing import Any

from upload_catalog.reconcile_models import ListedObject, ListingPage


class S3BucketVersions:
    """Implements ``controllers.reconcile_ports.BucketVersions`` over a boto3 S3 client."""

    def __init__(self, s3_client: Any) -> None:
        self._s3 = s3_client

    def list_page(self, bucket: str, after: tuple[str, str] | None, max_keys: int) -> ListingPage:
        params: dict[str, Any] = {"Bucket": bucket, "MaxKeys": max_keys}
        if after is not None:
            params["KeyMarker"], params["VersionIdMarker"] = after
        response = self._s3.list_object_versions(**params)
        latest = [
            ListedObject(
                key=str(version["Key"]),
                marker=str(version.get("VersionId") or "null"),
                etag=version.get("ETag"),
                size=int(version.get("Size", 0)),
            )
            for version in response.get("Versions", [])
            if version.get("IsLatest")
        ]
        latest += [
            ListedObject(key=str(marker["Key"]), marker=str(marker.get("VersionId") or "null"), deleted=True)
            for marker in response.get("DeleteMarkers", [])
            if marker.get("IsLatest")
        ]
        latest.sort(key=lambda listed: listed.key)  # code-point order is UTF-8 byte order
        next_marker = None
        if response.get("IsTruncated"):
            key, version = response.get("NextKeyMarker"), response.get("NextVersionIdMarker")
            if not key or not version:
                raise RuntimeError(
                    f"ListObjectVersions of {bucket} was truncated without NextKeyMarker and "
                    "NextVersionIdMarker"
                )
            next_marker = (str(key), str(version))
        return ListingPage(latest, next_marker)
