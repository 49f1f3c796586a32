"""The reconcile's services and its Lambda entry point on moto: ListObjectVersions pages and positions,
the partition's Query and conditional writes, the checkpoint's revisions, and a whole run repairing a
bucket whose catalog drifted."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from types import ModuleType

import boto3
import pytest
from botocore.stub import Stubber
from upload_catalog.controllers.reconcile_walk import walk
from upload_catalog.models import CatalogEntry
from upload_catalog.reconcile_models import CatalogRow, Checkpoint, Cursor
from upload_catalog.services.bucket_versions import S3BucketVersions
from upload_catalog.services.catalog_partition import DynamoCatalogPartition
from upload_catalog.services.catalog_table import DynamoCatalogStore
from upload_catalog.services.continuation import LambdaContinuation
from upload_catalog.services.reconcile_checkpoints import DynamoCheckpointStore

from tests.template.sam_template import create_table, load_template

HANDLER = "upload_catalog.handlers.reconcile"
SEQUENCER = "0062E4A1B2C3D4E501".ljust(64, "0")


@pytest.fixture
def checkpoints(aws) -> str:
    return create_table(
        aws.dynamodb, load_template(), "ReconcileCheckpointTable", "upload-catalog-test-checkpoints"
    )


def entry(aws, key: str, size: int, etag: str, version_id: str | None = None) -> CatalogEntry:
    return CatalogEntry(
        aws.bucket,
        key,
        size,
        etag,
        "text/plain",
        None,
        SEQUENCER,
        "2026-11-25T10:00:00.000Z",
        version_id=version_id,
    )


def test_versions_are_listed_as_current_states_in_key_order_across_pages(aws) -> None:
    """ListObjectVersions lists versions newest first within a key; the IsLatest entry (a version or a
    delete marker) is the key's current state (Amazon S3 API Reference, ListObjectVersions)."""
    for key in ("c", "a", "b"):
        for body in (b"1", b"22", b"333"):
            aws.s3.put_object(Bucket=aws.bucket, Key=key, Body=body)
    aws.s3.delete_object(Bucket=aws.bucket, Key="b")
    versions = S3BucketVersions(aws.s3)
    seen, after, pages = [], None, 0
    while True:
        page = versions.list_page(aws.bucket, after, 2)
        seen += page.objects
        pages += 1
        if page.next_marker is None:
            break
        after = page.next_marker
    assert pages > 2
    assert [(o.key, o.deleted, o.size) for o in seen] == [("a", False, 3), ("b", True, None), ("c", False, 3)]
    assert all(o.version_id for o in seen)


def test_the_walk_merges_listing_and_partition_and_resumes_after_a_cursor(aws) -> None:
    for key in ("a", "c", "d"):
        aws.s3.put_object(Bucket=aws.bucket, Key=key, Body=b"x")
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    for key in ("b", "c"):
        store.put_if_newer(entry(aws, key, 1, "e"))
    versions, partition = S3BucketVersions(aws.s3), DynamoCatalogPartition(aws.dynamodb, aws.table)
    states = list(walk(aws.bucket, Cursor(), versions, partition, page_size=1))
    assert [(s.key, s.drift) for s in states] == [
        ("a", "missing"),
        ("b", "orphan"),
        ("c", "stale"),
        ("d", "missing"),
    ]
    resumed = list(
        walk(aws.bucket, Cursor(states[1].key, states[1].s3_marker), versions, partition, page_size=1)
    )
    assert [s.key for s in resumed] == ["c", "d"]


def test_repairs_are_conditional_on_the_row_read(aws) -> None:
    """A repair replaces only the item it read: absent, or the same sequencer and stamp."""
    partition = DynamoCatalogPartition(aws.dynamodb, aws.table)
    first = entry(aws, "k", 1, "e1")
    assert partition.put_if_unchanged(first, expected=None, reconciled_at=10)
    assert not partition.put_if_unchanged(first, expected=None, reconciled_at=11)  # it exists now
    (row,) = partition.rows_page(aws.bucket, None, 10).rows
    assert row == CatalogRow("k", True, SEQUENCER, 1, "e1", None, 10)
    assert partition.put_if_unchanged(entry(aws, "k", 2, "e2"), expected=row, reconciled_at=11)
    assert not partition.put_if_unchanged(
        entry(aws, "k", 3, "e3"), expected=row, reconciled_at=12
    )  # stamp moved
    newer = CatalogEntry(**{**entry(aws, "k", 4, "e4").__dict__, "sequencer": "1".ljust(64, "0")})
    DynamoCatalogStore(aws.dynamodb, aws.table).put_if_newer(newer)  # an event: drops the stamp
    (row,) = partition.rows_page(aws.bucket, None, 10).rows
    assert (row.size, row.reconciled_at) == (4, None)
    stale = CatalogRow("k", True, SEQUENCER, 2, "e2", None, 11)
    assert not partition.put_if_unchanged(entry(aws, "k", 5, "e5"), expected=stale, reconciled_at=13)


def test_checkpoint_saves_are_guarded_by_revision(aws, checkpoints) -> None:
    store = DynamoCheckpointStore(aws.dynamodb, checkpoints)
    assert store.load(aws.bucket) is None
    first = Checkpoint("run-1", 1.0, cursor=Cursor("k", ("k", "v1")), revision=1)
    assert store.save(aws.bucket, first, expected_revision=None)
    assert not store.save(aws.bucket, first, expected_revision=None)
    assert store.load(aws.bucket) == first
    second = Checkpoint("run-1", 1.0, cursor=Cursor("m", ("m", "null")), revision=2)
    assert store.save(aws.bucket, second, expected_revision=1)
    assert not store.save(aws.bucket, second, expected_revision=1)
    assert store.load(aws.bucket).cursor == Cursor("m", ("m", "null"))


def test_an_unreadable_checkpoint_says_what_to_do(aws, checkpoints) -> None:
    aws.dynamodb.put_item(TableName=checkpoints, Item={"bucket": {"S": aws.bucket}, "document": {"S": "{}"}})
    with pytest.raises(ValueError, match="delete the item to start afresh"):
        DynamoCheckpointStore(aws.dynamodb, checkpoints).load(aws.bucket)


def test_a_continuation_is_an_asynchronous_invoke_of_the_function_itself(aws_env) -> None:
    client = boto3.client("lambda")
    payload = {"reconcile": {"action": "continue", "run_id": "r", "token": "t"}}
    with Stubber(client) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "stack-reconcile",
                "InvocationType": "Event",
                "Payload": json.dumps(payload).encode(),
            },
        )
        LambdaContinuation(client, "stack-reconcile").start(payload)
        stub.assert_no_pending_responses()


@dataclass
class Context:
    aws_request_id: str = "req-1"
    remaining_ms: int = 300_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def handler(aws, checkpoints, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The handler module imported fresh (its init creates the clients) with the function's environment;
    no AWS_LAMBDA_FUNCTION_NAME, so a run never continues itself here."""
    monkeypatch.setenv("CATALOG_TABLE", aws.table)
    monkeypatch.setenv("CHECKPOINT_TABLE", checkpoints)
    monkeypatch.setenv("UPLOADS_BUCKET", aws.bucket)
    monkeypatch.setenv("RECONCILE_PAGE_SIZE", "2")
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)
    return importlib.import_module(HANDLER)


def test_a_scheduled_run_repairs_missing_orphaned_and_corrupted_entries(aws, handler) -> None:
    bodies = {"a.txt": b"hello", "b/c.txt": b"world!", "d.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 20}
    puts = {key: aws.s3.put_object(Bucket=aws.bucket, Key=key, Body=body) for key, body in bodies.items()}
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    good = puts["a.txt"]
    store.put_if_newer(entry(aws, "a.txt", 5, good["ETag"].strip('"'), good["VersionId"]))
    store.put_if_newer(entry(aws, "b/c.txt", 999, "corrupted", puts["b/c.txt"]["VersionId"]))
    store.put_if_newer(entry(aws, "gone.txt", 3, "e"))

    summary = handler.handle(
        {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events"}, Context()
    )

    assert summary["status"] == "complete"
    assert {k: summary[k] for k in ("seen", "added", "removed", "fixed", "failed")} == {
        "seen": 3,
        "added": 1,
        "removed": 1,
        "fixed": 1,
        "failed": 0,
    }
    rows = {
        row.key: row
        for row in DynamoCatalogPartition(aws.dynamodb, aws.table).rows_page(aws.bucket, None, 10).rows
    }
    assert rows["b/c.txt"].size == 6 and rows["d.png"].live and not rows["gone.txt"].live
    item = aws.dynamodb.get_item(
        TableName=aws.table, Key={"bucket": {"S": aws.bucket}, "key": {"S": "d.png"}}
    )["Item"]
    assert item["content_type"] == {"S": "image/png"}  # the same rules as an event: sniffed
    again = handler.handle({}, Context("req-2"))
    assert (again["status"], again["drift"], again["seen"]) == ("complete", 0, 3)
    assert again["expected_objects"] == 3


def test_a_bad_request_names_the_field(handler) -> None:
    with pytest.raises(ValueError, match=r"reconcile\.action"):
        handler.handle({"reconcile": {"action": "explode"}}, Context())
