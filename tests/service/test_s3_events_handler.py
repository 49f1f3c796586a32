"""The Lambda entry point end to end on moto: real boto3 clients, the template's bucket and table."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import pytest
from upload_catalog.controllers.catalog import EventProcessingError

from tests.unit import samples
from tests.unit.s3_event_factory import event, s3_record, test_event

HANDLER = "upload_catalog.handlers.s3_events"


@pytest.fixture
def handler(aws, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import the handler module fresh (its init phase creates the clients) with the function's env."""
    monkeypatch.setenv("CATALOG_TABLE", aws.table)
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)
    return importlib.import_module(HANDLER)


def item(aws, key: str) -> dict | None:
    found = aws.dynamodb.get_item(TableName=aws.table, Key={"bucket": {"S": aws.bucket}, "key": {"S": key}})
    return found.get("Item")


def created(aws, key: str, body: bytes, sequencer: str, content_type: str = "binary/octet-stream") -> dict:
    put = aws.s3.put_object(Bucket=aws.bucket, Key=key, Body=body, ContentType=content_type)
    return s3_record(
        "ObjectCreated:Put",
        key,
        sequencer,
        bucket=aws.bucket,
        size=len(body),
        etag=put["ETag"],
        version_id=put["VersionId"],
    )


def test_uploads_and_deletes_are_catalogued(aws, handler) -> None:
    photo = created(aws, "사진/my photo+1.jpg", samples.jpeg(1024, 768), "0062E4A1B2C3D4E501")
    doc = created(aws, "docs/a%b.pdf", samples.pdf(), "0062E4A1B2C3D4E502", "application/pdf")
    marker = aws.s3.delete_object(Bucket=aws.bucket, Key="docs/a%b.pdf")
    removed = s3_record(
        "ObjectRemoved:DeleteMarkerCreated",
        "docs/a%b.pdf",
        "0062E4A1B2C3D4E503",
        bucket=aws.bucket,
        version_id=marker["VersionId"],
    )

    summary = handler.handle(event(photo, doc, removed, removed), None)

    assert summary == {"records": 4, "outcomes": {"stale": 1, "tombstoned": 1, "written": 2}}
    entry = item(aws, "사진/my photo+1.jpg")
    assert entry["content_type"] == {"S": "image/jpeg"}
    assert (entry["width"], entry["height"]) == ({"N": "1024"}, {"N": "768"})
    assert entry["etag"]["S"] == photo["s3"]["object"]["eTag"].strip('"')
    assert item(aws, "docs/a%b.pdf")["deleted"] == {"BOOL": True}


def test_permanent_delete_that_leaves_a_null_version_current_catalogues_it(aws, handler) -> None:
    """An object written while versioning was suspended has S3's "null" version (HEAD reports none); once
    a newer version is deleted for good, the catalog must describe that object, not keep the deleted one."""
    aws.s3.put_bucket_versioning(Bucket=aws.bucket, VersioningConfiguration={"Status": "Suspended"})
    null_body = samples.gif(3, 4)
    null_put = aws.s3.put_object(Bucket=aws.bucket, Key="k.gif", Body=null_body)
    null_created = s3_record(
        "ObjectCreated:Put",
        "k.gif",
        "0A",
        bucket=aws.bucket,
        size=len(null_body),
        etag=null_put["ETag"],
        version_id=null_put.get("VersionId"),
    )
    aws.s3.put_bucket_versioning(Bucket=aws.bucket, VersioningConfiguration={"Status": "Enabled"})
    newer = created(aws, "k.gif", samples.gif(5, 6), "0B")
    assert handler.handle(event(null_created, newer), None) == {"records": 2, "outcomes": {"written": 2}}

    deleted = newer["s3"]["object"]["versionId"]
    aws.s3.delete_object(Bucket=aws.bucket, Key="k.gif", VersionId=deleted)
    reconcile = s3_record("ObjectRemoved:Delete", "k.gif", "0C", bucket=aws.bucket, version_id=deleted)

    assert handler.handle(event(reconcile), None) == {"records": 1, "outcomes": {"written": 1}}
    entry = item(aws, "k.gif")
    assert entry["etag"]["S"] == null_put["ETag"].strip('"')
    assert (entry["width"], entry["height"]) == ({"N": "3"}, {"N": "4"})
    assert "version_id" not in entry, f"the entry names version {entry.get('version_id')}, deleted for good"


def test_test_event_is_acknowledged(aws, handler) -> None:
    assert handler.handle(test_event(aws.bucket), None) == {"records": 1, "outcomes": {"ignored": 1}}


def test_malformed_record_raises_after_the_valid_ones(aws, handler) -> None:
    good = created(aws, "ok.gif", samples.gif(5, 6), "0A")
    bad = s3_record("ObjectCreated:Put", "bad", "0B", bucket=aws.bucket)
    bad["s3"]["object"]["size"] = "12"
    with pytest.raises(EventProcessingError, match=r"record 1 \(malformed\): s3.object.size is str '12'"):
        handler.handle(event(good, bad), None)
    assert item(aws, "ok.gif")["width"] == {"N": "5"}


def test_missing_table_variable_fails_the_init_naming_it(aws_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CATALOG_TABLE", raising=False)
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)
    with pytest.raises(ValueError, match="CATALOG_TABLE is not set"):
        importlib.import_module(HANDLER)
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)
