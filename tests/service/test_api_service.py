"""The API function end to end on moto: the real handler, boto3 clients, the template's table with its
listing indexes, real presigned URLs. Every AWS call is recorded, to prove that listing never Scans and
that a page costs a bounded number of Query calls."""

from __future__ import annotations

import base64
import importlib
import json
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import quote

import botocore.client
import pytest
import requests
from upload_catalog.controllers.sequencer import normalize_sequencer
from upload_catalog.models import CatalogEntry, Tombstone
from upload_catalog.services.catalog_table import DynamoCatalogStore

from tests.template.sam_template import create_table, load_template

HANDLER = "upload_catalog.handlers.api"
TYPES = ["image/png", "image/jpeg", "application/pdf", "text/plain"]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS operation any boto3 client makes; a Scan fails the test on the spot."""
    made: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if operation_name == "Scan":
            raise AssertionError(f"a Scan was issued: {api_params}")
        made.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return made


@pytest.fixture
def api(aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.setenv("CATALOG_TABLE", aws.table)
    monkeypatch.setenv(
        "STATS_TABLE", create_table(aws.dynamodb, load_template(), "CatalogStatsTable", "stats")
    )
    monkeypatch.setenv("UPLOADS_BUCKET", aws.bucket)
    monkeypatch.setenv("ALLOWED_CONTENT_TYPES", "image/*,text/plain")
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "1000")
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://app.example.com")
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)
    yield importlib.import_module(HANDLER)
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)


def call(api: ModuleType, method: str, resource: str, **parts: Any) -> tuple[int, dict[str, str], Any]:
    event = {
        "resource": resource,
        "httpMethod": method,
        "headers": parts.get("headers"),
        "queryStringParameters": parts.get("query"),
        "pathParameters": parts.get("path"),
        "body": parts.get("body"),
        "isBase64Encoded": False,
        "requestContext": {"stage": "v1", "requestId": "req"},
    }
    result = api.handle(event, None)
    body = json.loads(result["body"]) if result["body"] else None
    return result["statusCode"], result["headers"], body


def seed(aws, count: int) -> list[CatalogEntry]:
    """``count`` live entries written by the catalog's own writer, plus tombstones of every seventh key."""
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    entries = []
    for i in range(count):
        entry = CatalogEntry(
            bucket=aws.bucket,
            key=f"{'photos' if i % 2 else 'docs'}/{i:04d} 사진.x",
            size=i,
            etag="e",
            content_type=TYPES[i % 4],
            declared_content_type=None,
            sequencer=normalize_sequencer("0A"),
            event_time=f"2026-11-25T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000Z",
        )
        store.put_if_newer(entry)
        entries.append(entry)
    for entry in entries[::7]:
        store.put_if_newer(
            Tombstone(aws.bucket, entry.key, normalize_sequencer("0B"), "2026-11-26T00:00:00Z", 1)
        )
    return [e for i, e in enumerate(entries) if i % 7]


def list_all(api: ModuleType, calls: list[str], **query: str) -> tuple[list[str], list[int]]:
    keys: list[str] = []
    queries_per_page: list[int] = []
    cursor = None
    while True:
        before = calls.count("Query")
        status, _, body = call(
            api, "GET", "/objects", query={**query, **({"cursor": cursor} if cursor else {})}
        )
        assert status == 200, body
        queries_per_page.append(calls.count("Query") - before)
        keys += [item["key"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return keys, queries_per_page


def test_paginated_listing_by_key_and_newest_without_scan(aws, api, calls) -> None:
    live = seed(aws, 120)
    keys, per_page = list_all(api, calls, limit="25")
    assert keys == sorted(e.key for e in live)
    assert max(per_page) == 1  # one Query per page
    newest, _ = list_all(api, calls, limit="30", order="newest")
    assert newest == [e.key for e in sorted(live, key=lambda e: e.event_time, reverse=True)]
    assert "Scan" not in calls


def test_filters_on_moto(aws, api, calls) -> None:
    live = seed(aws, 80)
    images, _ = list_all(api, calls, type="image/*", prefix="photos/", limit="7")
    assert images == sorted(
        e.key for e in live if e.content_type.startswith("image/") and e.key.startswith("photos/")
    )
    pdf_newest, _ = list_all(api, calls, type="application/pdf", order="newest", limit="4")
    assert pdf_newest == [
        e.key
        for e in sorted(live, key=lambda e: e.event_time, reverse=True)
        if e.content_type == "application/pdf"
    ]
    docs_newest, per_page = list_all(api, calls, prefix="docs/", order="newest", limit="5")
    assert docs_newest == [
        e.key for e in sorted(live, key=lambda e: e.event_time, reverse=True) if e.key.startswith("docs/")
    ]
    assert max(per_page) <= 5  # the read budget bounds each request


def test_bad_cursor_and_limit_are_400_not_500(aws, api, calls) -> None:
    seed(aws, 10)
    _, _, first = call(api, "GET", "/objects", query={"limit": "2"})
    for query in (
        {"cursor": "garbage"},
        {"cursor": first["next_cursor"], "order": "newest"},
        {"limit": "500"},
    ):
        status, _, body = call(api, "GET", "/objects", query=query)
        assert status == 400 and body["error"]["code"] == "BadRequest", body


def test_entry_content_and_delete_of_an_odd_key(aws, api, calls) -> None:
    key = "사진/my photo+1.png"
    aws.s3.put_object(Bucket=aws.bucket, Key=key, Body=b"\x89PNG-bytes", ContentType="image/png")
    DynamoCatalogStore(aws.dynamodb, aws.table).put_if_newer(
        CatalogEntry(
            aws.bucket,
            key,
            10,
            "e",
            "image/png",
            "image/png",
            normalize_sequencer("01"),
            "2026-11-25T00:00:00Z",
        )
    )
    raw = quote(key, safe="/")
    status, _, body = call(api, "GET", "/objects/{key+}", path={"key": raw})
    assert status == 200 and body["key"] == key
    status, headers, _ = call(api, "GET", "/objects/{key+}", path={"key": raw + "/content"})
    assert status == 302 and "X-Amz-Expires=300" in headers["Location"]
    assert requests.get(headers["Location"], timeout=10).content == b"\x89PNG-bytes"
    status, _, _ = call(api, "GET", "/objects/{key+}", path={"key": "missing"})
    assert status == 404
    status, _, body = call(api, "DELETE", "/objects/{key+}", path={"key": raw})
    assert status == 202 and body["key"] == key
    assert aws.s3.list_objects_v2(Bucket=aws.bucket).get("KeyCount") == 0
    assert "Scan" not in calls


def test_presigned_post_uploads_under_uploads_prefix(aws, api, calls) -> None:
    payload = b"hello, catalog"
    request = {"filename": "notes 1.txt", "content_type": "text/plain", "size": len(payload)}
    status, headers, body = call(
        api, "POST", "/uploads", body=json.dumps(request), headers={"Origin": "https://app.example.com"}
    )
    assert status == 201, body
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert body["key"].startswith("uploads/") and body["key"].endswith("/notes-1.txt")
    policy = json.loads(base64.b64decode(body["fields"]["policy"]))
    assert ["content-length-range", len(payload), len(payload)] in policy["conditions"]
    assert {"Content-Type": "text/plain"} in policy["conditions"]
    upload = requests.post(
        body["url"], data=body["fields"], files={"file": ("notes 1.txt", payload)}, timeout=10
    )
    assert upload.status_code in (200, 201, 204), upload.text
    stored = aws.s3.get_object(Bucket=aws.bucket, Key=body["key"])
    assert stored["Body"].read() == payload and stored["ContentType"] == "text/plain"


@pytest.mark.parametrize(
    ("request_body", "status"),
    [
        ("{", 400),
        (json.dumps({"filename": "a", "content_type": "application/zip", "size": 1}), 415),
        (json.dumps({"filename": "a", "content_type": "image/png", "size": 1001}), 413),
    ],
)
def test_upload_refusals(aws, api, request_body: str, status: int) -> None:
    got, _, body = call(api, "POST", "/uploads", body=request_body)
    assert got == status and set(body["error"]) == {"code", "message"}


def test_missing_bucket_variable_fails_the_init(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_TABLE", aws.table)
    monkeypatch.delenv("UPLOADS_BUCKET", raising=False)
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)
    with pytest.raises(ValueError, match="UPLOADS_BUCKET is not set"):
        importlib.import_module(HANDLER)
    monkeypatch.delitem(sys.modules, HANDLER, raising=False)


def test_equal_upload_times_still_page_completely(aws, api, calls) -> None:
    """Index sort keys need not be unique: the cursor carries the table keys too, so ties never repeat or
    skip an entry (moto and DynamoDB both continue after the full LastEvaluatedKey)."""
    store = DynamoCatalogStore(aws.dynamodb, aws.table)
    for i in range(30):
        store.put_if_newer(
            CatalogEntry(
                aws.bucket,
                f"same/{i:02d}",
                1,
                "e",
                "image/png",
                None,
                normalize_sequencer("01"),
                "2026-11-25T00:00:00Z",
            )
        )
    for order in ("newest", "key"):
        keys, _ = list_all(api, calls, order=order, limit="7")
        assert sorted(keys) == [f"same/{i:02d}" for i in range(30)] and len(keys) == 30, order


def test_stats_are_one_get_item_or_one_query(aws, api, calls: list[str]) -> None:
    from upload_catalog.controllers.stats_updates import StatsUpdater
    from upload_catalog.services.stats_table import DynamoStatsStore

    from tests.unit.stats_fakes import catalog_image, stream_record

    records = [
        stream_record(n + 1, key, None, catalog_image(key, size, kind, bucket=aws.bucket), bucket=aws.bucket)
        for n, (key, size, kind) in enumerate(
            [("photos/a.png", 10, "image/png"), ("photos/b.txt", 3, "text/plain"), ("c.png", 5, "image/png")]
        )
    ]
    StatsUpdater(DynamoStatsStore(aws.dynamodb, "stats")).handle({"Records": records})
    calls.clear()
    status, _, body = call(api, "GET", "/stats", query=None)
    assert status == 200 and (body["objects"], body["bytes"]) == (3, 18)
    assert body["types"] == [
        {"type": "image/*", "objects": 2, "bytes": 15},
        {"type": "text/*", "objects": 1, "bytes": 3},
    ]
    assert calls == ["Query"]
    calls.clear()
    status, _, body = call(api, "GET", "/stats", query={"prefix": "photos/", "type": "image/*"})
    assert (status, body["objects"], body["bytes"]) == (200, 1, 10)
    assert calls == ["GetItem"]
    status, _, body = call(api, "GET", "/stats", query={"prefix": "photos/2026/"})
    assert status == 400 and "prefix" in body["error"]["message"]
