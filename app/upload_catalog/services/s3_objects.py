"""Reads of the uploads bucket: HEAD and one ranged GET, never the whole object.

A missing object answers HEAD with 404 only when the caller may ``s3:ListBucket`` (403 otherwise), which
is why the function's policy grants ListBucket on its bucket (Amazon S3 API Reference, HeadObject,
"Permissions"). A version that is a delete marker answers 405 MethodNotAllowed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from upload_catalog.models import ObjectHead

# Status codes meaning "this object (version) is not there any more".
_GONE_STATUS = frozenset({404, 405})
_GONE_CODES = frozenset({"404", "405", "NoSuchKey", "NoSuchVersion", "MethodNotAllowed"})
_CHANGED_CODES = frozenset({"412", "PreconditionFailed"})


class ObjectAccessDenied(Exception):
    """HEAD answered 403: S3 sends no body with a HEAD, so boto3 sees a bare "Forbidden". Naming the
    denial and the permission to check turns a puzzling log line into the fix ("role error, fix the
    role")."""


def _error_code(err: ClientError) -> tuple[str, int]:
    error = err.response.get("Error", {})
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return str(error.get("Code", "")), int(status or 0)


class S3ObjectStore:
    """Implements ``controllers.ports.ObjectStore`` over a boto3 S3 client."""

    def __init__(self, s3_client: Any) -> None:
        self._s3 = s3_client

    def head(self, bucket: str, key: str, version_id: str | None = None) -> ObjectHead | None:
        """HEAD the object (that version if given); None if it is gone."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        try:
            response = self._s3.head_object(**params)
        except ClientError as err:
            code, status = _error_code(err)
            if code in _GONE_CODES or status in _GONE_STATUS:
                return None
            if status == 403:
                raise ObjectAccessDenied(
                    f"AccessDenied: HeadObject on s3://{bucket}/{key} answered 403 Forbidden; the "
                    "function's role needs s3:GetObject on the object (and s3:ListBucket on the bucket)"
                ) from err
            raise
        return ObjectHead(
            size=int(response.get("ContentLength", 0)),
            etag=str(response.get("ETag", "")).strip('"'),
            content_type=response.get("ContentType") or None,
            version_id=_real_version(response.get("VersionId")),
            last_modified=_iso_time(response.get("LastModified")),
        )

    def read_prefix(
        self, bucket: str, key: str, length: int, *, etag: str, version_id: str | None = None
    ) -> bytes | None:
        """GET bytes ``0..length-1`` if the ETag is still ``etag``; None if gone or replaced."""
        if length <= 0:
            return b""
        params: dict[str, Any] = {
            "Bucket": bucket,
            "Key": key,
            "Range": f"bytes=0-{length - 1}",
            "IfMatch": f'"{etag}"',
        }
        if version_id:
            params["VersionId"] = version_id
        try:
            response = self._s3.get_object(**params)
        except ClientError as err:
            code, status = _error_code(err)
            if code in _GONE_CODES or status in _GONE_STATUS or code in _CHANGED_CODES or status == 412:
                return None
            raise
        body = response["Body"]
        try:
            # Read at most `length` even if a server ignored the Range header.
            return body.read(length)
        finally:
            body.close()


def _iso_time(moment: Any) -> str | None:
    """HEAD's Last-Modified (a datetime from botocore) in the shape S3 events give times."""
    if not isinstance(moment, datetime):
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _real_version(version_id: Any) -> str | None:
    """S3 reports ``null`` as the version of objects written while versioning was off or suspended."""
    if not version_id or version_id == "null":
        return None
    return str(version_id)
