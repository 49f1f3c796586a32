"""``GET /objects`` through the controller and the fake index: pages, orders, filters, cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from upload_catalog.controllers.api_http import ApiError, Request
from upload_catalog.controllers.listing import FILTER_BUDGET, ListParams, list_entries, parse_list_params
from upload_catalog.controllers.objects_api import ObjectsController

from tests.unit.test_api_fakes import BUCKET, FakeCatalogReader, FakeObjectUrls, make_entry

TYPES = ["image/png", "image/jpeg", "application/pdf", "text/plain; charset=utf-8"]


@pytest.fixture
def reader() -> FakeCatalogReader:
    """40 entries in two folders, four types, one minute apart; every fifth one deleted."""
    fake = FakeCatalogReader()
    for i in range(40):
        folder = "photos" if i % 2 == 0 else "docs"
        fake.put(make_entry(f"{folder}/{i:03d}", TYPES[i % 4], minute=i))
    for i in range(0, 40, 5):
        fake.delete(f"{'photos' if i % 2 == 0 else 'docs'}/{i:03d}")
    return fake


def live(reader: FakeCatalogReader) -> list[Any]:
    return [e for e in (reader.get(b, k) for b, k in reader.items) if not getattr(e, "deleted", False)]


def list_all(reader: FakeCatalogReader, **query: str) -> tuple[list[str], list[list[str]]]:
    """Follow the cursors to the end; returns every key and the keys of each page."""
    controller = ObjectsController(reader, FakeObjectUrls(), BUCKET)
    pages: list[list[str]] = []
    cursor = None
    while True:
        params = dict(query, **({"cursor": cursor} if cursor else {}))
        response = controller.list(Request("GET", "/objects", query=params))
        assert response.status == 200
        pages.append([item["key"] for item in response.body["items"]])
        cursor = response.body["next_cursor"]
        if cursor is None:
            return [k for page in pages for k in page], pages
        assert len(pages) < 100, "the listing never ends"


def test_pages_by_key_cover_every_live_entry_once_and_end_without_an_empty_page(reader) -> None:
    keys, pages = list_all(reader, limit="7")
    expected = sorted(e.key for e in live(reader))
    assert keys == expected and len(expected) == 32
    assert [len(p) for p in pages] == [7, 7, 7, 7, 4]
    # Unfiltered pages read limit + 1 items, never the table.
    assert all(q.limit <= 8 and not q.filter_prefix for q in reader.queries)


def test_exactly_full_last_page_has_no_cursor(reader) -> None:
    _, pages = list_all(reader, limit="8")
    assert [len(p) for p in pages] == [8, 8, 8, 8]


def test_newest_first(reader) -> None:
    keys, _ = list_all(reader, order="newest", limit="5")
    expected = [e.key for e in sorted(live(reader), key=lambda e: e.event_time, reverse=True)]
    assert keys == expected


def test_prefix_by_key_is_a_key_condition(reader) -> None:
    keys, _ = list_all(reader, prefix="docs/", limit="4")
    assert keys == sorted(e.key for e in live(reader) if e.key.startswith("docs/"))
    assert all(q.key_prefix == "docs/" and q.index == "live-by-key" for q in reader.queries)


def test_prefix_newest_filters_within_a_read_budget(reader) -> None:
    keys, pages = list_all(reader, prefix="docs/0", order="newest", limit="2")
    expected = [
        e.key
        for e in sorted(live(reader), key=lambda e: e.event_time, reverse=True)
        if e.key.startswith("docs/0")
    ]
    assert keys == expected
    assert all(len(p) <= 2 for p in pages)
    assert all(q.limit <= FILTER_BUDGET * 3 and q.filter_prefix == "docs/0" for q in reader.queries)


def test_prefix_newest_page_may_be_short_but_the_cursor_goes_on() -> None:
    fake = FakeCatalogReader()
    fake.put(make_entry("wanted/old", minute=0))
    for i in range(1, 30):
        fake.put(make_entry(f"other/{i:02d}", minute=i))
    keys, pages = list_all(fake, prefix="wanted/", order="newest", limit="1")
    assert keys == ["wanted/old"]
    assert pages[0] == [] and len(pages) > 1  # budget exhausted before the match: an empty page, a cursor


@pytest.mark.parametrize(
    ("type_filter", "order", "index"),
    [
        ("image/*", "key", "family-by-key"),
        ("image/*", "newest", "family-by-time"),
        ("image/png", "key", "type-by-key"),
        ("TEXT/PLAIN", "newest", "type-by-time"),
        ("application/pdf", "key", "type-by-key"),
    ],
)
def test_type_filters_use_their_own_index(reader, type_filter: str, order: str, index: str) -> None:
    keys, _ = list_all(reader, type=type_filter, order=order, limit="3")
    wanted = type_filter.lower()

    def matches(content_type: str) -> bool:
        exact = content_type.split(";", maxsplit=1)[0]
        return exact == wanted or (wanted.endswith("/*") and exact.startswith(wanted[:-1]))

    chosen = [e for e in live(reader) if matches(e.content_type)]
    ordered = sorted(
        chosen,
        key=(lambda e: e.key) if order == "key" else (lambda e: e.event_time),
        reverse=order == "newest",
    )
    assert keys == [e.key for e in ordered] and keys
    assert {q.index for q in reader.queries} == {index}


def test_type_and_prefix_by_key(reader) -> None:
    keys, _ = list_all(reader, type="image/*", prefix="photos/", limit="50")
    assert keys == sorted(
        e.key for e in live(reader) if e.key.startswith("photos/") and e.content_type.startswith("image/")
    )


def test_deleted_entry_leaves_listings(reader) -> None:
    before, _ = list_all(reader)
    reader.delete(before[0])
    after, _ = list_all(reader, type="image/*")
    assert before[0] not in after and before[0] not in list_all(reader)[0]


def first_cursor(reader: FakeCatalogReader, **query: str) -> str:
    response = ObjectsController(reader, FakeObjectUrls(), BUCKET).list(
        Request("GET", "/objects", query=query)
    )
    assert response.body["next_cursor"]
    return response.body["next_cursor"]


def encode(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["!!!", "abc", encode([1, 2]), encode({"v": 1}), encode({"v": 2, "q": "x", "p": {}}), "x" * 9000, "%%%%"],
)
def test_malformed_cursor_is_a_400(reader, cursor: str) -> None:
    with pytest.raises(ApiError) as err:
        list_entries(reader, BUCKET, ListParams(cursor=cursor))
    assert err.value.status == 400 and "cursor" in err.value.message


def test_cursor_of_another_query_is_a_400(reader) -> None:
    cursor = first_cursor(reader, limit="3")
    for other in (ListParams(order="newest"), ListParams(prefix="docs/"), ListParams(type_filter="image/*")):
        with pytest.raises(ApiError, match="cursor belongs to another query"):
            list_entries(
                reader,
                BUCKET,
                ListParams(
                    cursor=cursor, order=other.order, prefix=other.prefix, type_filter=other.type_filter
                ),
            )
    # A different page size is the same query: allowed.
    assert list_entries(reader, BUCKET, ListParams(cursor=cursor, limit=10)).entries


def test_tampered_position_is_a_400(reader) -> None:
    cursor = first_cursor(reader, limit="3")
    document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    document["p"]["live_all"] = "someone-elses-bucket"
    with pytest.raises(ApiError, match="another query"):
        list_entries(reader, BUCKET, ListParams(cursor=encode(document)))
    document["p"]["live_all"] = BUCKET
    document["p"]["key"] = "\ud800"
    with pytest.raises(ApiError, match="malformed"):
        list_entries(reader, BUCKET, ListParams(cursor=encode(document)))
    document["p"]["surplus"] = "x"
    with pytest.raises(ApiError, match="malformed"):
        list_entries(reader, BUCKET, ListParams(cursor=encode(document)))


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "1e3"}, "limit"),
        ({"order": "oldest"}, "order"),
        ({"type": "image"}, "type"),
        ({"type": "*/*"}, "type"),
        ({"type": "image/png/x"}, "type"),
        ({"prefix": "é" * 600}, "prefix"),
        ({"prefix": "a\ud800"}, "prefix"),
    ],
)
def test_bad_parameters_are_400s_naming_the_parameter(query: dict[str, str], named: str) -> None:
    with pytest.raises(ApiError) as err:
        parse_list_params(query)
    assert err.value.status == 400 and f"query parameter {named}" in err.value.message


def test_defaults() -> None:
    assert parse_list_params({}) == ListParams(
        prefix="", limit=50, order="key", type_filter=None, cursor=None
    )
    assert parse_list_params({"limit": "100", "cursor": ""}).limit == 100


def test_entry_view_omits_unknown_fields(reader) -> None:
    reader.put(make_entry("v/x.png", width=3, height=4, version_id="v9", declared_content_type="image/png"))
    reader.put(make_entry("v/y.bin", content_type="binary/octet-stream"))
    response = ObjectsController(reader, FakeObjectUrls(), BUCKET).list(
        Request("GET", "/objects", query={"prefix": "v/"})
    )
    assert response.body["items"] == [
        {
            "key": "v/x.png",
            "size": 10,
            "content_type": "image/png",
            "etag": "0" * 32,
            "uploaded_at": "2026-11-25T10:00:00.000Z",
            "declared_content_type": "image/png",
            "width": 3,
            "height": 4,
            "version_id": "v9",
        },
        {
            "key": "v/y.bin",
            "size": 10,
            "content_type": "binary/octet-stream",
            "etag": "0" * 32,
            "uploaded_at": "2026-11-25T10:00:00.000Z",
        },
    ]
