"""GET /objects and GET /objects/{key} over real HTTP through the API (local gateway or AWS).

Objects are put through the S3 API and read back through the REST API once the catalog has them:
pagination across pages in both orders, the prefix and content-type filters, 404 for absent and deleted
keys, and keys that need percent-encoding in a path. Every test lists under its own prefix, so entries
of other tests (or, on a shared stack, of anyone) never show up in its pages.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.integration import generated_images as images
from tests.integration.stack_target import CatalogApi, Stack

PAGE = 2


def put_live(stack: Stack, key: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Put one object and wait until its catalog entry is live."""
    response = stack.s3.put_object(Bucket=stack.bucket, Key=key, Body=body, ContentType=content_type)
    return stack.wait_live(key, response["ETag"])


@pytest.fixture
def mixed(stack: Stack, prefix: str) -> dict[str, str]:
    """Five entries under the test's prefix, uploaded in this order (key -> catalogued type).

    Key order and upload order differ on purpose, so the two listings cannot agree by accident; each
    upload waits until the clock is past the previous entry's event time (S3 event times have
    millisecond resolution), so upload times are distinct.
    """
    uploads = [
        ("d.png", images.png(3, 2), "image/png"),
        ("b.txt", b"hello\n", "text/plain"),
        ("e.gif", images.gif(4, 4), "image/gif"),
        ("a.png", images.png(1, 1), "image/png"),
        ("c.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    ]
    catalogued: dict[str, str] = {}
    for name, body, content_type in uploads:
        item = put_live(stack, prefix + name, body, content_type)
        catalogued[prefix + name] = item["content_type"]
        _until_past(item["event_time"])
    return catalogued


def _until_past(event_time: str, timeout: float = 5.0) -> None:
    """Return once this machine's clock is past `event_time` (an ISO 8601 UTC time)."""
    moment = datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    deadline = time.monotonic() + timeout
    while datetime.now(UTC) <= moment:
        assert time.monotonic() < deadline, f"the clock never passed {event_time}"
        time.sleep(0.001)


def flat(pages: list[list[str]]) -> list[str]:
    return [key for page in pages for key in page]


def test_key_order_pages_through_every_entry_once(
    api: CatalogApi, prefix: str, mixed: dict[str, str]
) -> None:
    pages = api.list_all(prefix=prefix, limit=PAGE)
    assert flat(pages) == sorted(mixed)
    assert all(len(page) <= PAGE for page in pages)
    assert len(pages) >= 3  # five entries, two a page


def test_newest_order_pages_from_the_last_upload_back(
    api: CatalogApi, prefix: str, mixed: dict[str, str]
) -> None:
    pages = api.list_all(prefix=prefix, limit=PAGE, order="newest")
    assert flat(pages) == list(reversed(list(mixed)))  # dict order is upload order


def test_image_family_filter_in_both_orders(api: CatalogApi, prefix: str, mixed: dict[str, str]) -> None:
    images_only = [key for key, kind in mixed.items() if kind.startswith("image/")]
    assert flat(api.list_all(prefix=prefix, type="image/*", limit=PAGE)) == sorted(images_only)
    newest = flat(api.list_all(prefix=prefix, type="image/*", limit=PAGE, order="newest"))
    assert newest == list(reversed(images_only))


def test_exact_type_filter(api: CatalogApi, prefix: str, mixed: dict[str, str]) -> None:
    pngs = sorted(key for key, kind in mixed.items() if kind == "image/png")
    assert len(pngs) == 2
    assert flat(api.list_all(prefix=prefix, type="image/png", limit=1)) == pngs
    assert flat(api.list_all(prefix=prefix, type="text/plain")) == [prefix + "b.txt"]


def test_page_items_carry_the_entry(api: CatalogApi, prefix: str, mixed: dict[str, str]) -> None:
    body = api.get("/objects", params={"prefix": prefix + "d.png"}).json()
    assert body["next_cursor"] is None
    (entry,) = body["items"]
    assert entry["key"] == prefix + "d.png"
    assert (entry["content_type"], entry["width"], entry["height"]) == ("image/png", 3, 2)
    assert entry["size"] == len(images.png(3, 2))


def test_deleted_entry_leaves_the_listing_and_answers_404(
    stack: Stack, api: CatalogApi, prefix: str, mixed: dict[str, str]
) -> None:
    doomed = prefix + "b.txt"
    stack.s3.delete_object(Bucket=stack.bucket, Key=doomed)
    stack.wait_tombstone(doomed)
    assert doomed not in flat(api.list_all(prefix=prefix))
    assert doomed not in flat(api.list_all(prefix=prefix, order="newest"))
    response = api.get(api.object_path(doomed))
    assert response.status_code == 404
    assert response.json()["error"]["code"]


def test_absent_key_is_404_with_a_json_error(api: CatalogApi, prefix: str) -> None:
    response = api.get(api.object_path(prefix + "never-uploaded.bin"))
    assert response.status_code == 404
    error = response.json()["error"]
    assert prefix + "never-uploaded.bin" in error["message"]


@pytest.mark.parametrize(
    "name",
    ["deep/er/still/file.txt", "with space.txt", "사진/한글 이름.txt", "a+b=c.txt", "100%.txt", "x/content"],
    ids=["slashes", "space", "hangul", "plus", "percent", "last-segment-content"],
)
def test_keys_that_need_encoding_round_trip(stack: Stack, api: CatalogApi, prefix: str, name: str) -> None:
    key = prefix + name
    put_live(stack, key, b"payload\n", "text/plain")
    if name.endswith("/content"):  # the documented way to read such an entry: its last slash as %2F
        path = api.object_path(key[: -len("/content")]) + "%2Fcontent"
    else:
        path = api.object_path(key)
    response = api.get(path)
    assert response.status_code == 200, response.text
    assert response.json()["key"] == key
    assert flat(api.list_all(prefix=prefix)) == [key]


def test_literal_plus_in_a_path_is_a_plus_not_a_space(stack: Stack, api: CatalogApi, prefix: str) -> None:
    key = prefix + "one+two.txt"
    put_live(stack, key, b"plus\n", "text/plain")
    response = api.get(f"/objects/{prefix}one+two.txt")  # not percent-encoded: "+" is literal in a path
    assert response.status_code == 200, response.text
    assert response.json()["key"] == key
