"""The catalog's upkeep on samlite: reconcile throughput on 10,000 objects, and stream-to-stats lag.

Reconcile (issue 14's target: at most 1.5x the floor). 10,000 objects are written straight into the
embedded S3's backend (in process, no S3 event: a bucket the catalog has never heard of), then:

- backfill: ``ReconcileFunction`` invoked through the Lambda API (``scripts/reconcile.py``'s loop)
  catalogues every object (a HEAD, a ranged GET and a conditional PutItem each);
- clean walk: the same again with nothing to repair: only the side-by-side walk, i.e. ListObjectVersions
  and Query pages of 1,000 plus the checkpoint;
- floor: the same ListObjectVersions and Query pages made directly with boto3 from a process of their
  own (as the function has its worker process), with nothing else; the clean walk's time over the
  floor's is the ratio the target bounds.
Clean walk and floor alternate (ABAB), so machine noise hits both.

The template runs as it is, StatsFunction's stream mapping on: every catalogued object is a stream
record, counted by one TransactWriteItems per batch. After the backfill the bench waits for the stream
to drain (how long it took is printed) and checks that the bucket's statistics count every object.

Stream-to-stats lag: catalog items written with PutItem (as the catalog function writes them), the time
until StatsFunction's marker for that key is in the statistics table (polled), p50 and p95; measured
first, on a cloud of its own, so that the reconcile's objects do not queue behind it.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "app"), str(REPO / "scripts")]

from upload_catalog.models import CatalogEntry  # noqa: E402
from upload_catalog.services.catalog_table import to_attributes  # noqa: E402
from upload_catalog.stats_keys import ALL, marker_key, totals_key  # noqa: E402

from samlite.cloud.local_cloud import CloudOptions, LocalCloud  # noqa: E402

OBJECTS = int(os.environ.get("BENCH_RECONCILE_OBJECTS", "10000"))
ROUNDS = 2
PAGE = 1000
LAG_SAMPLES = 40
LAG_TIMEOUT_S = 30.0


def fill_bucket(cloud: LocalCloud, bucket: str) -> None:
    s3 = cloud._aws.backend("s3")
    for number in range(OBJECTS):
        s3.put_object(bucket, f"bench/{number % 97:02d}/object-{number:06d}.txt", f"object {number}".encode())


def invoke(lambda_client: Any, name: str, request: dict[str, Any]) -> dict[str, Any]:
    response = lambda_client.invoke(FunctionName=name, Payload=json.dumps({"reconcile": request}).encode())
    payload = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise RuntimeError(f"{name} failed: {payload}")
    return payload


def reconcile(lambda_client: Any, name: str) -> tuple[float, dict[str, Any]]:
    """A whole run from the first key, step after step as scripts/reconcile.py drives it; seconds."""
    began = time.perf_counter()
    request: dict[str, Any] = {"action": "start", "budget_seconds": 30, "chain": False}
    while True:
        summary = invoke(lambda_client, name, request)
        if summary["status"] == "complete":
            return time.perf_counter() - began, summary
        if summary["status"] != "partial":
            raise RuntimeError(f"unexpected reconcile answer {summary}")
        request = {"action": "continue", **summary["next"], "budget_seconds": 30, "chain": False}


def floor_in_subprocess(cloud: LocalCloud, bucket: str, table: str) -> float:
    """``floor`` in an interpreter of its own, as the function runs in a worker process of its own: in
    this process boto3's parsing would compete with the endpoint for the GIL and inflate the floor."""
    done = subprocess.run(
        [sys.executable, __file__, "--floor", bucket, table],
        env={**os.environ, **cloud.env()},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def floor(bucket: str, table: str) -> float:
    """The walk's own AWS calls, made directly: every ListObjectVersions and Query page of 1,000."""
    import boto3

    s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")
    began = time.perf_counter()
    params: dict[str, Any] = {"Bucket": bucket, "MaxKeys": PAGE}
    while True:
        page = s3.list_object_versions(**params)
        if not page.get("IsTruncated"):
            break
        params.update(KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
    query: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#b = :b",
        "ExpressionAttributeNames": {"#b": "bucket"},
        "ExpressionAttributeValues": {":b": {"S": bucket}},
        "ConsistentRead": True,
        "Limit": PAGE,
    }
    while True:
        page = dynamodb.query(**query)
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return time.perf_counter() - began


def stats_lag(cloud: LocalCloud, dynamodb: Any, bucket: str) -> list[float]:
    """Milliseconds from a catalog PutItem to its marker in the statistics table."""
    table, stats = cloud.outputs["CatalogTableName"], cloud.outputs["StatsTableName"]
    lags = []
    for number in range(LAG_SAMPLES):
        key = f"lag/{number:04d}.txt"
        item = to_attributes(
            CatalogEntry(bucket, key, 10, "e", "text/plain", None, "1".ljust(64, "0"), "2026-12-02T00:00:00Z")
        )
        began = time.perf_counter()
        dynamodb.put_item(TableName=table, Item=item)
        deadline = began + (LAG_TIMEOUT_S if lags else 2 * LAG_TIMEOUT_S)
        while "Item" not in dynamodb.get_item(TableName=stats, Key=marker_key(bucket, key)):
            if time.perf_counter() > deadline:
                raise RuntimeError(f"StatsFunction counted no marker for {key} within {LAG_TIMEOUT_S:.0f} s")
            time.sleep(0.002)
        lags.append((time.perf_counter() - began) * 1000)
    return lags


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bucket_totals(cloud: LocalCloud, bucket: str) -> int:
    """The objects the statistics count for the whole bucket (0 before the first one)."""
    item = cloud.client("dynamodb").get_item(
        TableName=cloud.outputs["StatsTableName"], Key=totals_key(bucket, ALL, ALL), ConsistentRead=True
    )
    return int(item.get("Item", {}).get("objects", {}).get("N", "0"))


def stats_drained(cloud: LocalCloud, bucket: str) -> float:
    """Seconds until the statistics count every object of the backfill (the stream drained)."""
    began = time.perf_counter()
    deadline = began + 600.0
    while bucket_totals(cloud, bucket) != OBJECTS:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the statistics count {bucket_totals(cloud, bucket)} of {OBJECTS} objects")
        cloud.wait_idle(1.0)
    return time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as state:
        options = CloudOptions(
            template=REPO / "template.yaml", port=0, api_port=0, watch=False, state_dir=Path(state)
        )
        with LocalCloud(options) as cloud:
            lags = stats_lag(cloud, cloud.client("dynamodb"), cloud.outputs["UploadsBucketName"])
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as state:
        options = CloudOptions(
            template=REPO / "template.yaml", port=0, api_port=0, watch=False, state_dir=Path(state)
        )
        with LocalCloud(options) as cloud:
            bucket, table = cloud.outputs["UploadsBucketName"], cloud.outputs["CatalogTableName"]
            name = cloud.outputs["ReconcileFunctionName"]
            lambda_client = cloud.client("lambda")
            fill_bucket(cloud, bucket)
            backfill_s, summary = reconcile(lambda_client, name)
            assert summary["run"]["added"] == OBJECTS, summary
            drain_s = stats_drained(cloud, bucket)
            walks, floors = [], []
            for _ in range(ROUNDS):
                seconds, summary = reconcile(lambda_client, name)
                assert summary["run"]["drift"] == 0, summary
                walks.append(seconds)
                floors.append(floor_in_subprocess(cloud, bucket, table))
            walk, base = statistics.median(walks), statistics.median(floors)
    print("## Reconcile and catalog statistics (issue 14)\n")
    print(f"{OBJECTS:,} objects put straight into the embedded S3 (no events); ReconcileFunction through the")
    print("Lambda API, run to completion step by step (scripts/reconcile.py's loop).\n")
    print("| what | seconds | objects/s | vs floor |")
    print("|---|---:|---:|---:|")
    print(
        f"| backfill: every object catalogued (HEAD + 64 KiB GET + PutItem each) | {backfill_s:.2f} | "
        f"{OBJECTS / backfill_s:,.0f} | |"
    )
    print(
        f"| clean walk: nothing to repair (median of {ROUNDS}) | {walk:.2f} | {OBJECTS / walk:,.0f} | "
        f"{walk / base:.2f}x |"
    )
    print(
        f"| floor: the same List and Query pages, direct boto3 (median of {ROUNDS}) | {base:.2f} | "
        f"{OBJECTS / base:,.0f} | 1.00x |"
    )
    print(f"\nTarget: clean walk at most 1.5x the floor: {'met' if walk / base <= 1.5 else 'NOT met'}.\n")
    print(
        f"Stream on: the statistics counted all {OBJECTS:,} objects {drain_s:.2f} s after the backfill "
        "returned (StatsFunction, one TransactWriteItems per batch); peak memory of the process that "
        f"runs samlite: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB.\n"
    )
    print(
        f"Stream-to-stats lag ({len(lags)} PutItems, time until StatsFunction's marker is readable): "
        f"p50 {percentile(lags, 0.5):.0f} ms, p95 {percentile(lags, 0.95):.0f} ms."
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--floor"]:
        print(floor(sys.argv[2], sys.argv[3]))
    else:
        main()
