"""``GET /stats`` without AWS: the parameters, and answers from one GetItem or one Query."""

from __future__ import annotations

import pytest
from upload_catalog.controllers.api_http import ApiError, Request
from upload_catalog.controllers.stats_api import StatsController, StatsParams, parse_stats_params
from upload_catalog.controllers.stats_rules import deltas
from upload_catalog.stats_models import Contribution

from tests.unit.stats_fakes import FakeStatsStore

BUCKET = "b"


class CountingStore(FakeStatsStore):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def totals(self, scope):  # type: ignore[no-untyped-def]
        self.calls.append("GetItem")
        return super().totals(scope)

    def prefix(self, bucket, prefix_scope, limit):  # type: ignore[no-untyped-def]
        self.calls.append("Query")
        return super().prefix(bucket, prefix_scope, limit)


def filled() -> CountingStore:
    store = CountingStore()
    for key, family, size in [("photos/", "image", 10), ("photos/", "image", 5), ("docs/", "text", 3)]:
        for scope, (count, total) in deltas(None, Contribution(BUCKET, key, family, size)).items():
            stored = store.totals_by_scope.setdefault(scope, [0, 0])
            stored[0] += count
            stored[1] += total
    return store


def get(store: CountingStore, **query: str):  # type: ignore[no-untyped-def]
    return StatsController(store, BUCKET).get(Request("GET", "/stats", query=query))


def test_whole_bucket_with_its_families_in_one_query() -> None:
    store = filled()
    response = get(store)
    assert response.status == 200
    assert response.body["objects"] == 3 and response.body["bytes"] == 18
    assert response.body["types"] == [
        {"type": "image/*", "objects": 2, "bytes": 15},
        {"type": "text/*", "objects": 1, "bytes": 3},
    ]
    assert response.body["types_truncated"] is False
    assert store.calls == ["Query"]


def test_prefix_and_family_in_one_get_item() -> None:
    store = filled()
    body = get(store, prefix="photos/", type="IMAGE/*").body
    assert (body["prefix"], body["type"], body["objects"], body["bytes"]) == ("photos/", "image/*", 2, 15)
    assert store.calls == ["GetItem"]


def test_nothing_counted_yet_is_zero_not_an_error() -> None:
    body = get(CountingStore(), prefix="none/").body
    assert (body["objects"], body["bytes"], body["types"]) == (0, 0, [])


@pytest.mark.parametrize(
    ("query", "parsed"),
    [
        ({}, StatsParams()),
        ({"prefix": "a/"}, StatsParams("a/")),
        ({"type": "text/*"}, StatsParams("", "text")),
    ],
)
def test_parameters(query: dict[str, str], parsed: StatsParams) -> None:
    assert parse_stats_params(query) == parsed


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"prefix": "a"}, "prefix"),
        ({"prefix": "a/b/"}, "prefix"),
        ({"prefix": "a/" * 600}, "prefix"),
        ({"type": "image/png"}, "type"),
        ({"type": "image"}, "type"),
        ({"prefix": "\udcff/"}, "prefix"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(query: dict[str, str], names: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_stats_params(query)
    assert raised.value.status == 400 and names in raised.value.message
