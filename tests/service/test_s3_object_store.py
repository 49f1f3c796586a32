"""S3ObjectStore against moto: HEAD, a ranged GET of at most the asked length, and "gone" answers."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from upload_catalog.services.s3_objects import ObjectAccessDenied, S3ObjectStore

from tests.unit import samples


def test_head_reports_size_etag_type_and_version(aws) -> None:
    put = aws.s3.put_object(
        Bucket=aws.bucket, Key="한글 a+b.png", Body=samples.png(2, 3), ContentType="image/png"
    )
    head = S3ObjectStore(aws.s3).head(aws.bucket, "한글 a+b.png")
    assert head is not None
    assert head.size == len(samples.png(2, 3))
    assert head.etag == put["ETag"].strip('"') and '"' not in head.etag
    assert head.content_type == "image/png"
    assert head.version_id == put["VersionId"]


def test_head_of_an_older_version(aws) -> None:
    first = aws.s3.put_object(Bucket=aws.bucket, Key="k", Body=b"one")
    aws.s3.put_object(Bucket=aws.bucket, Key="k", Body=b"second")
    head = S3ObjectStore(aws.s3).head(aws.bucket, "k", first["VersionId"])
    assert head is not None and head.size == 3 and head.version_id == first["VersionId"]


def test_missing_object_and_delete_marker_are_gone(aws) -> None:
    store = S3ObjectStore(aws.s3)
    assert store.head(aws.bucket, "never-uploaded") is None
    aws.s3.put_object(Bucket=aws.bucket, Key="k", Body=b"x")
    marker = aws.s3.delete_object(Bucket=aws.bucket, Key="k")
    assert marker["DeleteMarker"] is True
    assert store.head(aws.bucket, "k") is None  # 404: current version is a delete marker
    assert store.head(aws.bucket, "k", marker["VersionId"]) is None  # 405 MethodNotAllowed on the marker


def test_read_prefix_asks_for_a_range_and_never_the_whole_object(aws) -> None:
    body = samples.jpeg(10, 10) + b"\x00" * (3 * 1024 * 1024)
    put = aws.s3.put_object(Bucket=aws.bucket, Key="big.jpg", Body=body)
    sent: list[dict[str, Any]] = []
    aws.s3.meta.events.register("before-call.s3.GetObject", lambda params, **_: sent.append(params))
    data = S3ObjectStore(aws.s3).read_prefix(aws.bucket, "big.jpg", 65536, etag=put["ETag"].strip('"'))
    assert data == body[:65536]
    assert len(sent) == 1
    assert sent[0]["headers"]["Range"] == "bytes=0-65535"
    assert sent[0]["headers"]["If-Match"] == put["ETag"]


def test_read_prefix_of_a_replaced_or_removed_object_is_none(aws) -> None:
    store = S3ObjectStore(aws.s3)
    first = aws.s3.put_object(Bucket=aws.bucket, Key="k", Body=b"first")
    aws.s3.put_object(Bucket=aws.bucket, Key="k", Body=b"replaced")
    assert store.read_prefix(aws.bucket, "k", 10, etag=first["ETag"].strip('"')) is None  # 412
    assert store.read_prefix(
        aws.bucket, "k", 10, etag=first["ETag"].strip('"'), version_id=first["VersionId"]
    ) == (b"first")
    assert store.read_prefix(aws.bucket, "missing", 10, etag="abc") is None  # 404


def test_head_forbidden_names_the_access_denial_and_the_permission() -> None:
    """S3 answers a HEAD without s3:GetObject with a bodiless 403 (S3 API Reference, HeadObject)."""
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(client) as stub:
        stub.add_client_error("head_object", "403", "Forbidden", 403)
        with pytest.raises(ObjectAccessDenied, match=r"AccessDenied: HeadObject on s3://b/k .*s3:GetObject"):
            S3ObjectStore(client).head("b", "k")
