"""Classifying served S3 requests into the object changes S3 notifies about."""

from __future__ import annotations

from typing import Any

import pytest

from samlite.model.served_request import ServedRequest
from samlite.services.s3.changes import S3RequestError, changes_of
from tests.samlite.embedded import served_request


def served(method: str, path: str, query: str = "", **fields: Any) -> ServedRequest:
    """An S3 request a user's key made on the local endpoint."""
    fields = {"host": "127.0.0.1:4566", "access_key_id": "AKIAUSER", **fields}
    return served_request("s3", method, path, query, **fields)


def test_put_and_presigned_put_are_object_created_put() -> None:
    [change] = changes_of(served("PUT", "/b/k", response_headers={"ETag": '"abc"'}))
    assert (change.event_name, change.bucket, change.key, change.etag) == (
        "ObjectCreated:Put",
        "b",
        "k",
        '"abc"',
    )
    presigned = served(
        "PUT", "/b/k", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00", access_key_id="AKIAP"
    )
    [change] = changes_of(presigned)
    assert change.event_name == "ObjectCreated:Put"
    assert change.access_key_id == "AKIAP"


def test_copy_is_recognised_from_its_header_whatever_its_case() -> None:
    [change] = changes_of(served("PUT", "/b/dst", headers={"X-Amz-Copy-Source": "/b/src"}))
    assert change.event_name == "ObjectCreated:Copy"
    [change] = changes_of(served("PUT", "/b/dst", headers={"x-amz-copy-source": "b/src"}))
    assert change.event_name == "ObjectCreated:Copy"


@pytest.mark.parametrize(
    ("method", "query"),
    [
        ("PUT", "tagging="),
        ("PUT", "acl="),
        ("PUT", "uploadId=u&partNumber=1"),
        ("POST", "uploads="),
        ("DELETE", "uploadId=u"),
        ("DELETE", "tagging="),
        ("GET", ""),
        ("HEAD", ""),
        ("PUT", "retention="),
    ],
)
def test_sub_resources_parts_and_reads_produce_nothing(method: str, query: str) -> None:
    assert changes_of(served(method, "/b/k", query, status=204 if method == "DELETE" else 200)) == []


def test_bucket_level_requests_and_failures_produce_nothing() -> None:
    assert changes_of(served("PUT", "/b")) == []
    assert changes_of(served("PUT", "/b", "versioning=")) == []
    assert changes_of(served("PUT", "/b/k", status=403)) == []
    assert changes_of(served("DELETE", "/b/k", status=404)) == []
    assert changes_of(served("PUT", "/")) == []


def test_complete_multipart_upload_is_exactly_one_change() -> None:
    changes = changes_of(
        served("POST", "/b/big", "uploadId=xyz", response_headers={"x-amz-version-id": "v7"})
    )
    assert [(c.event_name, c.key, c.version_id) for c in changes] == [
        ("ObjectCreated:CompleteMultipartUpload", "big", "v7")
    ]


def test_delete_and_delete_marker() -> None:
    [plain] = changes_of(served("DELETE", "/b/k", status=204))
    assert plain.event_name == "ObjectRemoved:Delete"
    [marker] = changes_of(
        served(
            "DELETE",
            "/b/k",
            status=204,
            response_headers={"x-amz-delete-marker": "true", "x-amz-version-id": "m1"},
        )
    )
    assert (marker.event_name, marker.version_id) == ("ObjectRemoved:DeleteMarkerCreated", "m1")
    # Deleting a delete marker by its version id is a plain delete of that version.
    [version] = changes_of(
        served("DELETE", "/b/k", "versionId=m1", status=204, response_headers={"x-amz-delete-marker": "true"})
    )
    assert (version.event_name, version.version_id) == ("ObjectRemoved:Delete", "m1")


DELETE_RESULT = b"""<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Deleted><Key>a b.txt</Key></Deleted>
  <Deleted><Key>v</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>dm1</DeleteMarkerVersionId></Deleted>
  <Deleted><Key>w</Key><VersionId>v2</VersionId></Deleted>
  <Error><Key>locked</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
</DeleteResult>"""


def test_delete_objects_gives_one_change_per_deleted_key_and_none_for_errors() -> None:
    changes = changes_of(served("POST", "/b", "delete=", response_body=DELETE_RESULT))
    assert [(c.event_name, c.key, c.version_id) for c in changes] == [
        ("ObjectRemoved:Delete", "a b.txt", None),
        ("ObjectRemoved:DeleteMarkerCreated", "v", "dm1"),
        ("ObjectRemoved:Delete", "w", "v2"),
    ]


def test_delete_objects_with_unreadable_response_is_a_clear_error() -> None:
    with pytest.raises(S3RequestError, match="DeleteObjects on bucket 'b'"):
        changes_of(served("POST", "/b", "delete=", response_body=b"<not xml"))


def form(fields: dict[str, str], filename: str = "cat photo.png") -> tuple[bytes, str]:
    boundary = "----samlite-test"
    lines = []
    for name, value in fields.items():
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{name}"', "", value]
    lines += [
        f"--{boundary}",
        f'Content-Disposition: form-data; name="file"; filename="{filename}"',
        "Content-Type: image/png",
        "",
        "PNGDATA",
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode(), f"multipart/form-data; boundary={boundary}"


def test_post_form_upload_takes_the_key_from_the_form_with_filename_substituted() -> None:
    body, content_type = form(
        {
            "key": "uploads/${filename}",
            "x-amz-credential": "AKIAFORM/20240101/us-east-1/s3/aws4_request",
            "policy": "e30=",
            "x-amz-signature": "00",
        }
    )
    request = served(
        "POST", "/b", headers={"Content-Type": content_type}, body=body, status=204, access_key_id=None
    )
    [change] = changes_of(request)
    assert (change.event_name, change.key, change.access_key_id) == (
        "ObjectCreated:Post",
        "uploads/cat photo.png",
        "AKIAFORM",
    )


def test_post_form_upload_on_a_virtual_host_bucket() -> None:
    body, content_type = form({"Key": "fixed.txt"})
    request = served(
        "POST", "/", host="bkt.s3.localhost:4566", headers={"content-type": content_type}, body=body
    )
    [change] = changes_of(request)
    assert (change.bucket, change.key) == ("bkt", "fixed.txt")


def test_post_form_without_key_is_a_clear_error() -> None:
    body, content_type = form({"policy": "e30="})
    with pytest.raises(S3RequestError, match="must contain a field named 'key'"):
        changes_of(served("POST", "/b", headers={"Content-Type": content_type}, body=body, status=204))
