"""``GET /stats`` on the whole stack: after uploads, overwrites and deletes, the statistics equal a fresh
count of the catalog. ``make test`` runs this a second time with ``--samlite-chaos`` (S3 events and the
table's stream batches duplicated and reordered, within AWS's delivery contract), which is where the
exactness under at-least-once delivery is shown end to end. Written for either target; each test
counts under its own top-level prefix, so other tests' objects do not disturb it.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Any

from tests.integration.stack_target import CatalogApi, Stack

TYPES = {"png": ("image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40), "txt": ("text/plain", b"hello\n")}


def fresh_count(stack: Stack, prefix: str) -> tuple[int, int, Counter[str]]:
    """Live entries under ``prefix``, their bytes, and entries per type family: one Query on the
    catalog's own key, read to the end (what the statistics must agree with)."""
    objects, size, families = 0, 0, Counter()
    params: dict[str, Any] = {
        "TableName": stack.table,
        "KeyConditionExpression": "#b = :b AND begins_with(#k, :p)",
        "ExpressionAttributeNames": {"#b": "bucket", "#k": "key"},
        "ExpressionAttributeValues": {":b": {"S": stack.bucket}, ":p": {"S": prefix}},
        "ConsistentRead": True,
    }
    while True:
        page = stack.dynamodb.query(**params)
        for item in page["Items"]:
            if item.get("deleted", {}).get("BOOL"):
                continue
            objects += 1
            size += int(item["size"]["N"])
            families[item["content_type"]["S"].split("/")[0]] += 1
        if "LastEvaluatedKey" not in page:
            return objects, size, families
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def wait_for_stats(stack: Stack, api: CatalogApi, prefix: str, expected: tuple[int, int]) -> dict[str, Any]:
    """``GET /stats?prefix=`` once it agrees with ``expected`` (the stream follows the catalog within
    seconds), or the last answer when the deadline passes."""
    deadline = time.monotonic() + stack.converge_timeout
    while True:
        stack.settle(1.0)
        body = api.get("/stats", params={"prefix": prefix}).json()
        if (body["objects"], body["bytes"]) == expected or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_stats_equal_a_fresh_count_after_uploads_and_deletes(
    stack: Stack, api: CatalogApi, prefix: str
) -> None:
    rng = random.Random(14)
    keys = [
        f"{prefix}{folder}/{n:03d}.{ext}"
        for n in range(60)
        for folder, ext in [(("a", "b")[n % 2], ("png", "txt")[n % 3 % 2])]
    ]
    live: set[str] = set()
    for _ in range(200):
        key = rng.choice(keys)
        if key in live and rng.random() < 0.4:
            stack.s3.delete_object(Bucket=stack.bucket, Key=key)
            live.discard(key)
        else:
            content_type, body = TYPES[key.rsplit(".", 1)[1]]
            stack.s3.put_object(
                Bucket=stack.bucket, Key=key, Body=body * rng.randint(1, 5), ContentType=content_type
            )
            live.add(key)
    for key in keys:
        if key in live:
            stack.wait_live(key)
        elif stack.catalog_item(key) is not None:
            stack.wait_tombstone(key)

    objects, size, families = fresh_count(stack, prefix)
    assert objects == len(live)
    body = wait_for_stats(stack, api, prefix, (objects, size))

    assert (body["objects"], body["bytes"]) == (objects, size), body
    assert {entry["type"]: entry["objects"] for entry in body["types"]} == {
        f"{family}/*": count for family, count in families.items()
    }
    one = api.get("/stats", params={"prefix": prefix, "type": "image/*"}).json()
    assert one["objects"] == families["image"]


def test_stats_refuse_what_they_do_not_keep(api: CatalogApi) -> None:
    response = api.get("/stats", params={"prefix": "a/b/"})
    assert response.status_code == 400
    assert "top-level prefix" in response.json()["error"]["message"]
    assert api.get("/stats", params={"type": "image/png"}).status_code == 400
    assert api.get("/stats", send_key=False).status_code == 403
