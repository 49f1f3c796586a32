"""Turn an S3 request the embedded endpoint has served into the object changes S3 would notify about.

S3 emits one notification per object change, not per HTTP request, and which change a request is can
only be told from its method, path, sub-resource query parameters, headers and, for DeleteObjects and
delete markers, from the response. This module is that classification and nothing else: it reads a
`ServedRequest` (with the one S3 request reader, `samlite.wire.s3_request`, on the very bytes moto
stored) and returns `S3Change`s; it never looks at moto's state and never sends anything.

Covered (AWS event names, "Event notification types" in the S3 user guide):
- PUT object                          -> ObjectCreated:Put
- PUT object with x-amz-copy-source   -> ObjectCreated:Copy
- POST form upload (browser/presigned POST) -> ObjectCreated:Post, key from the form's `key` field
  with `${filename}` replaced by the uploaded file's name
- POST ?uploadId=... (Complete)       -> ObjectCreated:CompleteMultipartUpload (exactly one)
- DELETE object                       -> ObjectRemoved:Delete, or ObjectRemoved:DeleteMarkerCreated when
  the response says a delete marker was created (versioned bucket, no versionId in the request)
- POST ?delete (DeleteObjects)        -> one removal per <Deleted> entry of the response
Everything else (sub-resources such as ?acl or ?tagging, UploadPart, CreateMultipartUpload, reads,
failed requests) yields nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from samlite.model import ServedRequest
from samlite.wire.s3_request import MalformedForm, PostForm, header_value, read_s3_request

OBJECT_CREATED_PUT = "ObjectCreated:Put"
OBJECT_CREATED_POST = "ObjectCreated:Post"
OBJECT_CREATED_COPY = "ObjectCreated:Copy"
OBJECT_CREATED_COMPLETE_MULTIPART = "ObjectCreated:CompleteMultipartUpload"
OBJECT_REMOVED_DELETE = "ObjectRemoved:Delete"
OBJECT_REMOVED_DELETE_MARKER = "ObjectRemoved:DeleteMarkerCreated"

# Query parameters naming a sub-resource: a PUT or DELETE carrying one of them changes that
# sub-resource (ACL, tags, lock settings, a multipart part...), not the object itself.
_OBJECT_SUBRESOURCES = frozenset(
    {
        "acl",
        "tagging",
        "retention",
        "legal-hold",
        "restore",
        "torrent",
        "uploadId",
        "partNumber",
        "attributes",
        "select",
        "renameObject",
    }
)


@dataclass(frozen=True)
class S3Change:
    """One object change S3 would notify about.

    `key` is decoded (the object's real name); `version_id` is what the response reported (absent on
    unversioned buckets); `access_key_id` is the caller's, for `userIdentity` and the recursion guard.
    """

    event_name: str
    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    access_key_id: str | None = None


class S3RequestError(ValueError):
    """A served S3 request samlite cannot read (e.g. a malformed multipart form)."""


def changes_of(request: ServedRequest) -> list[S3Change]:
    """The object changes `request` made, in the order S3 would report them; [] for anything else."""
    if request.status >= 300:
        return []
    try:
        s3 = read_s3_request(
            request.method,
            request.host,
            request.path,
            request.query,
            content_type=header_value(request.headers, "Content-Type"),
            body=request.body,
        )
    except MalformedForm as malformed:  # moto stored nothing for it; the endpoint refused it first
        raise S3RequestError(f"POST upload: {malformed}") from None
    bucket, key = s3.address.bucket, s3.address.key
    if not bucket:
        return []
    params = dict(parse_qsl(request.query, keep_blank_values=True))
    method = s3.method
    if method == "PUT" and key:
        return _put(request, bucket, key, params)
    if method == "POST":
        return _post(request, bucket, key, params, s3.form)
    if method == "DELETE" and key and not _OBJECT_SUBRESOURCES.intersection(params):
        return [_delete(request, bucket, key, params)]
    return []


def _put(request: ServedRequest, bucket: str, key: str, params: dict[str, str]) -> list[S3Change]:
    if _OBJECT_SUBRESOURCES.intersection(params):
        return []
    copy_source = header_value(request.headers, "x-amz-copy-source")
    return [
        S3Change(
            event_name=OBJECT_CREATED_COPY if copy_source else OBJECT_CREATED_PUT,
            bucket=bucket,
            key=key,
            version_id=header_value(request.response_headers, "x-amz-version-id"),
            etag=header_value(request.response_headers, "ETag"),
            access_key_id=request.access_key_id,
        )
    ]


def _post(
    request: ServedRequest, bucket: str, key: str, params: dict[str, str], form: PostForm | None
) -> list[S3Change]:
    if key and "uploadId" in params:
        return [
            S3Change(
                event_name=OBJECT_CREATED_COMPLETE_MULTIPART,
                bucket=bucket,
                key=key,
                version_id=header_value(request.response_headers, "x-amz-version-id"),
                access_key_id=request.access_key_id,
            )
        ]
    if not key and "delete" in params:
        return _deleted_entries(request, bucket)
    if form is not None:
        return [_form_upload(request, bucket, form)]
    return []


def _delete(request: ServedRequest, bucket: str, key: str, params: dict[str, str]) -> S3Change:
    marker = (header_value(request.response_headers, "x-amz-delete-marker") or "").lower() == "true"
    created_marker = marker and "versionId" not in params
    return S3Change(
        event_name=OBJECT_REMOVED_DELETE_MARKER if created_marker else OBJECT_REMOVED_DELETE,
        bucket=bucket,
        key=key,
        version_id=params.get("versionId") or header_value(request.response_headers, "x-amz-version-id"),
        access_key_id=request.access_key_id,
    )


def _deleted_entries(request: ServedRequest, bucket: str) -> list[S3Change]:
    """One removal per <Deleted> element of a DeleteObjects response (errors produce nothing)."""
    try:
        root = ElementTree.fromstring(request.response_body)
    except ElementTree.ParseError as exc:
        raise S3RequestError(f"DeleteObjects on bucket {bucket!r}: unreadable response XML ({exc})") from exc
    changes = []
    for deleted in root.iter():
        if _local(deleted.tag) != "Deleted":
            continue
        fields = {_local(child.tag): (child.text or "") for child in deleted}
        if "Key" not in fields:
            continue
        marker_created = fields.get("DeleteMarker", "").lower() == "true" and not fields.get("VersionId")
        changes.append(
            S3Change(
                event_name=OBJECT_REMOVED_DELETE_MARKER if marker_created else OBJECT_REMOVED_DELETE,
                bucket=bucket,
                key=fields["Key"],
                version_id=fields.get("DeleteMarkerVersionId") if marker_created else fields.get("VersionId"),
                access_key_id=request.access_key_id,
            )
        )
    return changes


def _form_upload(request: ServedRequest, bucket: str, form: PostForm) -> S3Change:
    """A browser-based (presigned POST) upload: the key and the signer come from the form fields."""
    if form.key is None:
        raise S3RequestError(f"POST upload to bucket {bucket!r}: the form has no 'key' field")
    access_key = request.access_key_id
    credential = form.value("x-amz-credential") or form.value("awsaccesskeyid")
    if not access_key and credential:
        access_key = credential.split("/", 1)[0]
    return S3Change(
        event_name=OBJECT_CREATED_POST,
        bucket=bucket,
        key=form.key,
        version_id=header_value(request.response_headers, "x-amz-version-id"),
        etag=header_value(request.response_headers, "ETag"),
        access_key_id=access_key,
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
