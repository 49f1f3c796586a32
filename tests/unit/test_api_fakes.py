"""In-memory stand-ins for the API's ports, with DynamoDB's Query semantics, and tests of the fakes.

``FakeCatalogReader`` stores items exactly as ``services.catalog_table.to_attributes`` writes them (so
the sparse index attributes are the real ones) and answers a Query like a global secondary index:
only items carrying the partition attribute, ordered by the sort attribute, ``Limit`` counting items
*evaluated* before the filter, ``LastEvaluatedKey`` whenever the limit was reached, ``ExclusiveStartKey``
continuing after that position. The service tests run the same controller code against moto.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from upload_catalog.api_models import IndexPage, IndexQuery, ListedEntry, PresignedPost
from upload_catalog.controllers.sequencer import normalize_sequencer
from upload_catalog.models import CatalogEntry, CatalogItem, Tombstone
from upload_catalog.services.catalog_table import from_attributes, to_attributes

BUCKET = "uploads-bucket"


def make_entry(key: str, content_type: str = "image/png", minute: int = 0, **changes: Any) -> CatalogEntry:
    fields: dict[str, Any] = {
        "bucket": BUCKET,
        "key": key,
        "size": 10,
        "etag": "0" * 32,
        "content_type": content_type,
        "declared_content_type": None,
        "sequencer": normalize_sequencer("0A"),
        "event_time": f"2026-11-25T{10 + minute // 60:02d}:{minute % 60:02d}:00.000Z",
    }
    return CatalogEntry(**{**fields, **changes})


@dataclass
class FakeCatalogReader:
    items: dict[tuple[str, str], dict[str, dict[str, Any]]] = field(default_factory=dict)
    queries: list[IndexQuery] = field(default_factory=list)

    def put(self, item: CatalogItem) -> None:
        self.items[(item.bucket, item.key)] = to_attributes(item)

    def delete(self, key: str) -> None:
        self.put(Tombstone(BUCKET, key, normalize_sequencer("FF"), "2026-11-25T12:00:00Z", 1))

    def get(self, bucket: str, key: str) -> CatalogItem | None:
        item = self.items.get((bucket, key))
        return from_attributes(item) if item else None

    def query(self, query: IndexQuery) -> IndexPage:
        self.queries.append(query)
        p, s = query.partition_name, query.sort_name

        def position(item: dict[str, dict[str, Any]]) -> tuple[str, str, str]:
            return (item[s]["S"], item["bucket"]["S"], item["key"]["S"])

        rows = [
            item
            for item in self.items.values()
            if item.get(p, {}).get("S") == query.partition_value
            and item["key"]["S"].startswith(query.key_prefix)
        ]
        rows.sort(key=position, reverse=not query.forward)
        if query.start:
            start = (query.start[s], query.start["bucket"], query.start["key"])
            rows = [r for r in rows if (position(r) > start if query.forward else position(r) < start)]
        evaluated = rows[: query.limit]
        names = {"bucket", "key", p, s}
        matching = [r for r in evaluated if r["key"]["S"].startswith(query.filter_prefix)]
        last = None
        if len(evaluated) == query.limit:  # DynamoDB stops at Limit and says where, more or not
            last = {name: evaluated[-1][name]["S"] for name in names}
        return IndexPage(
            entries=[
                ListedEntry(from_attributes(r), {n: r[n]["S"] for n in names})  # type: ignore[arg-type]
                for r in matching
            ],
            last_evaluated=last,
            evaluated=len(evaluated),
        )


@dataclass
class FakeObjectUrls:
    posts: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)

    def presign_post(
        self, bucket: str, key: str, *, content_type: str, size: int, expires_in: int
    ) -> PresignedPost:
        self.posts.append(
            {
                "bucket": bucket,
                "key": key,
                "content_type": content_type,
                "size": size,
                "expires_in": expires_in,
            }
        )
        return PresignedPost(f"https://{bucket}.s3.example/", {"key": key, "Content-Type": content_type})

    def presign_get(self, bucket: str, key: str, *, expires_in: int) -> str:
        return f"https://{bucket}.s3.example/{quote(key)}?X-Amz-Expires={expires_in}"

    def delete(self, bucket: str, key: str) -> None:
        self.deleted.append((bucket, key))


def test_fake_index_is_sparse_and_limits_what_it_evaluates() -> None:
    reader = FakeCatalogReader()
    for name in ("a", "b", "c"):
        reader.put(make_entry(name))
    reader.delete("b")
    query = IndexQuery("live-by-key", "live_all", BUCKET, "key", forward=True, limit=1)
    first = reader.query(query)
    assert [e.entry.key for e in first.entries] == ["a"] and first.last_evaluated is not None
    rest = reader.query(
        IndexQuery("live-by-key", "live_all", BUCKET, "key", True, 5, start=first.last_evaluated)
    )
    assert [e.entry.key for e in rest.entries] == ["c"] and rest.last_evaluated is None
