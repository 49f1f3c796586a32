"""DynamoDB Query p50 on a GSI over HTTP through EmbeddedAws: 1,000 vs 100,000 items, patched vs moto.

What `GET /objects` does: Query a sparse GSI (one partition holding every live entry, sorted by key)
for a page of 50, starting after an ExclusiveStartKey in the middle of the partition. moto's own Query
walks and sorts the whole table for each page; samlite's `dynamodb_query` reads only the page. Both
are measured in this run on the same tables (`moto_query_only()` switches the fast path off), both
tables loaded before either is timed and the two sizes' samples alternating, so the ratios are
comparable even on a noisy shared machine. Items are loaded straight into moto's backend
(Table.put_item in-process, the write path the patch maintains its lists on), not over HTTP.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.samlite.catalog_table
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import boto3
from botocore.config import Config

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.moto_changes import dynamodb_query
from tests.samlite.catalog_table import catalog_item, create_catalog_table, live_page

SIZES = (1_000, 100_000)
PAGE = 50
FAST_SAMPLES = int(os.environ.get("BENCH_DDB_QUERY_SAMPLES", "60"))
# moto's own Query at 100k items takes seconds per page: fewer samples there.
MOTO_SAMPLES = {1_000: 15, 100_000: 3}


def _create_table(client: Any) -> str:
    return create_catalog_table(client, f"catalog-{uuid.uuid4().hex[:8]}")


def _load(aws: EmbeddedAws, table_name: str, count: int) -> float:
    table = aws.backend("dynamodb").get_table(table_name)
    started = time.perf_counter()
    for n in range(count):
        key = f"uploads/{n:07d}.jpg"
        # every tenth entry is deleted: absent from the sparse index
        item = catalog_item(
            key,
            live=bool(n % 10),
            size=1000 + n,
            content_type="image/jpeg",
            created_at="2026-11-25T00:00:00Z",
        )
        table.put_item(item)
    return time.perf_counter() - started


def _query(client: Any, table_name: str, count: int) -> dict[str, Any]:
    middle = f"uploads/{count // 2:07d}.jpg"
    return client.query(**live_page(table_name, PAGE, after=middle))


def _timed(client: Any, table_name: str, count: int) -> float:
    started = time.perf_counter()
    response = _query(client, table_name, count)
    elapsed = time.perf_counter() - started
    assert response["Count"] == PAGE, response["Count"]
    return elapsed * 1000


def _interleaved_p50(client: Any, tables: dict[int, str], samples: int) -> dict[int, float]:
    """p50 per table size, the sizes' samples alternating so that machine noise hits both alike."""
    timings: dict[int, list[float]] = {count: [] for count in tables}
    for _ in range(samples):
        for count, table_name in tables.items():
            timings[count].append(_timed(client, table_name, count))
    return {count: statistics.median(values) for count, values in timings.items()}


def main() -> None:
    with EmbeddedAws(port=0) as aws:
        credentials = aws.admin_credentials.as_env()
        client = boto3.client(
            "dynamodb",
            endpoint_url=aws.url,
            region_name=aws.region,
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
            config=Config(retries={"max_attempts": 1}),
        )
        tables: dict[int, str] = {}
        figures: dict[int, dict[str, float]] = {}
        for count in SIZES:  # both tables exist while either is measured: same process, same heap
            tables[count] = _create_table(client)
            figures[count] = {"load": _load(aws, tables[count], count)}
        for count, table_name in tables.items():
            started = time.perf_counter()
            first = _query(client, table_name, count)  # builds the sorted lists
            figures[count]["first"] = (time.perf_counter() - started) * 1000
            with dynamodb_query.moto_query_only():
                reference = _query(client, table_name, count)
            assert first["Items"] == reference["Items"], "fast and moto pages differ"
            assert first.get("LastEvaluatedKey") == reference.get("LastEvaluatedKey")
        for count, p50 in _interleaved_p50(client, tables, FAST_SAMPLES).items():
            figures[count]["fast"] = p50
        with dynamodb_query.moto_query_only():
            for count, table_name in tables.items():
                timings = [_timed(client, table_name, count) for _ in range(MOTO_SAMPLES[count])]
                figures[count]["moto"] = statistics.median(timings)
        stats = dynamodb_query.stats()

    small, large = figures[SIZES[0]], figures[SIZES[1]]
    print("## DynamoDB Query on a GSI, page of 50, over HTTP (EmbeddedAws)")
    print()
    print("| items | samlite p50 (ms) | moto p50 (ms) | moto / samlite | first query (ms) | load (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for count in SIZES:
        f = figures[count]
        print(
            f"| {count:,} | {f['fast']:.1f} | {f['moto']:.1f} | {f['moto'] / f['fast']:.1f}x "
            f"| {f['first']:.1f} | {f['load']:.1f} |"
        )
    print()
    print(
        f"- samlite p50 ratio 100k / 1k: **{large['fast'] / small['fast']:.2f}** (target <= 1.2); "
        f"moto's own: {large['moto'] / small['moto']:.1f}"
    )
    print("- first query builds the index's sorted lists once; later writes keep them up to date")
    print(f"- queries answered: {stats.fast} from the sorted lists, {stats.moto} by moto's own code")


if __name__ == "__main__":
    main()
