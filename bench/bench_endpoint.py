"""Requests per second of samlite's embedded AWS endpoint against moto's stock server, same calls.

Baseline: moto's `ThreadedMotoServer` (werkzeug's dev server: one TCP connection per request).
samlite: `EmbeddedAws` (keep-alive HTTP/1.1 server + samlite's middleware), with IAM off (same work
as the baseline) and with IAM on (its default: every request's signature and policies checked).
Calls: S3 PutObject (1 KiB) and DynamoDB GetItem, sequential and with 4 threads, each thread with
its own boto3 client as an application would. Everything runs in this process, one server at a time.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import boto3
from botocore.config import Config

SEQUENTIAL = int(os.environ.get("BENCH_ENDPOINT_SEQUENTIAL", "100"))
PER_THREAD = int(os.environ.get("BENCH_ENDPOINT_PER_THREAD", "40"))
# The machine is shared: each figure is the best of REPEATS runs, the least disturbed one.
REPEATS = int(os.environ.get("BENCH_ENDPOINT_REPEATS", "3"))
THREADS = 4
BODY = b"x" * 1024


def _clients(url: str, key: str, secret: str) -> tuple[Any, Any]:
    config = Config(retries={"max_attempts": 1}, max_pool_connections=4)
    kwargs = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": key,
        "aws_secret_access_key": secret,
    }
    return boto3.client("s3", config=config, **kwargs), boto3.client("dynamodb", config=config, **kwargs)


def _setup(url: str, key: str, secret: str) -> tuple[str, str]:
    s3, ddb = _clients(url, key, secret)
    bucket, table = f"bench-{uuid.uuid4().hex[:8]}", f"bench-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "item"}, "v": {"S": "x" * 100}})
    return bucket, table


def _calls(url: str, key: str, secret: str, bucket: str, table: str) -> dict[str, Callable[[int], None]]:
    s3, ddb = _clients(url, key, secret)
    return {
        "PutObject": lambda n: s3.put_object(Bucket=bucket, Key=f"k/{n}", Body=BODY),
        "GetItem": lambda n: ddb.get_item(TableName=table, Key={"pk": {"S": "item"}}),
    }


def _rate(url: str, key: str, secret: str, operation: str, threads: int, bucket: str, table: str) -> float:
    per_worker = SEQUENTIAL if threads == 1 else PER_THREAD
    workers = [_calls(url, key, secret, bucket, table)[operation] for _ in range(threads)]
    for call in workers:
        for n in range(5):  # warm: connection pools, moto's per-service apps
            call(n)
    barrier = threading.Barrier(threads + 1)

    def run(call: Callable[[int], None]) -> None:
        barrier.wait()
        for n in range(per_worker):
            call(n)

    pool = [threading.Thread(target=run, args=(call,)) for call in workers]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    return threads * per_worker / (time.perf_counter() - started)


def _measure(url: str, key: str, secret: str) -> dict[tuple[str, int], float]:
    bucket, table = _setup(url, key, secret)
    return {
        (op, n): max(_rate(url, key, secret, op, n, bucket, table) for _ in range(REPEATS))
        for op in ("PutObject", "GetItem")
        for n in (1, THREADS)
    }


def _stock() -> dict[tuple[str, int], float]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        return _measure(f"http://{host}:{port}", "AKIAIOSFODNN7EXAMPLE", "secret")
    finally:
        server.stop()


def _embedded(iam: bool) -> dict[tuple[str, int], float]:
    from samlite.endpoint.embedded_aws import EmbeddedAws

    aws = EmbeddedAws(port=0, iam=iam)
    aws.start()
    try:
        creds = aws.admin_credentials
        return _measure(aws.url, creds.access_key_id, creds.secret_access_key)
    finally:
        aws.stop()


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    stock = _stock()
    plain = _embedded(iam=False)
    checked = _embedded(iam=True)
    print("## Embedded AWS endpoint vs moto's stock server (requests/s)")
    print()
    print(
        f"{SEQUENTIAL} sequential calls, or {THREADS} threads x {PER_THREAD}; 1 KiB PutObject, GetItem; "
        f"best of {REPEATS}."
    )
    print()
    print("| call | clients | moto stock server | samlite, IAM off | ratio | samlite, IAM on | ratio |")
    print("|---|---|---|---|---|---|---|")
    for (operation, threads), baseline in stock.items():
        off, on = plain[(operation, threads)], checked[(operation, threads)]
        ratios = f"{off:.0f} | {off / baseline:.2f}x | {on:.0f} | {on / baseline:.2f}x"
        print(f"| {operation} | {threads} | {baseline:.0f} | {ratios} |")


if __name__ == "__main__":
    main()
