"""Quick side-by-side of the item calls: samlite's embedded AWS (IAM on) against MiniStack.

The full comparison is `bench_vs_ministack.py` (~19 min, `samlite start` on template.yaml); this one
takes a few minutes and is for the per-request work of the endpoint: S3 PutObject, GetObject,
HeadObject, ListObjectsV2 (100 objects of 1 KiB) and DynamoDB PutItem, GetItem, UpdateItem with a
condition, Query (a page of 50), each with 1 and 4 client processes, systems alternated in each round.
samlite runs as `EmbeddedAws` in a process of its own (from `--src`, so two checkouts can be compared),
MiniStack from `bench/peers.py`. Prints medians of requests per second and the per-round ratios.

    .venv/bin/python bench/items_vs_ministack.py [--rounds 3] [--src src] [--ops GetItem,PutObject]

Not a `bench_*.py`: `make bench` runs the full comparison instead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import running_ministack

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = (
    "PutObject",
    "GetObject",
    "HeadObject",
    "ListObjectsV2",
    "PutItem",
    "GetItem",
    "UpdateItem",
    "Query",
)
CALLS = {1: 300, 4: 100}  # calls per client process
START_DELAY_S = 2.5  # client processes import boto3 and warm up before the common start time

SERVER = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from samlite.endpoint.embedded_aws import EmbeddedAws
    aws = EmbeddedAws(port=0, iam=True)
    aws.start()
    key = aws.admin_credentials
    print(json.dumps({"url": aws.url, "key": key.access_key_id, "secret": key.secret_access_key}), flush=True)
    sys.stdin.read()
    aws.stop()
    """
)

WORKER = textwrap.dedent(
    """
    import json, sys, time
    import boto3
    from botocore.config import Config
    settings, operation = json.loads(sys.argv[1]), sys.argv[2]
    calls, start, worker = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    config = Config(retries={"max_attempts": 1})
    s3 = boto3.client("s3", config=config, **settings)
    ddb = boto3.client("dynamodb", config=config, **settings)
    body = b"x" * 1024
    operations = {
        "PutObject": lambda n: s3.put_object(Bucket="items-bench", Key=f"w{worker}/{n % 100}", Body=body),
        "GetObject": lambda n: s3.get_object(Bucket="items-bench", Key=f"obj/{n % 100:03d}")["Body"].read(),
        "HeadObject": lambda n: s3.head_object(Bucket="items-bench", Key=f"obj/{n % 100:03d}"),
        "ListObjectsV2": lambda n: s3.list_objects_v2(Bucket="items-bench", Prefix="obj/"),
        "PutItem": lambda n: ddb.put_item(
            TableName="items", Item={"pk": {"S": f"w{worker}-{n % 100}"}, "v": {"S": "x" * 100}}
        ),
        "GetItem": lambda n: ddb.get_item(TableName="items", Key={"pk": {"S": f"item-{n % 100}"}}),
        "UpdateItem": lambda n: ddb.update_item(
            TableName="items", Key={"pk": {"S": f"item-{n % 100}"}}, UpdateExpression="SET #c = #c + :one",
            ConditionExpression="attribute_exists(pk)", ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        ),
        "Query": lambda n: ddb.query(
            TableName="pages", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}}, Limit=50,
        ),
    }
    call = operations[operation]
    for n in range(10):
        call(n)
    while time.time() < start:
        time.sleep(0.001)
    for n in range(calls):
        call(n)
    print(time.time())
    """
)


def _fixture(settings: dict[str, str]) -> None:
    s3, ddb = boto3.client("s3", **settings), boto3.client("dynamodb", **settings)
    s3.create_bucket(Bucket="items-bench")
    for n in range(100):
        s3.put_object(Bucket="items-bench", Key=f"obj/{n:03d}", Body=b"x" * 1024)
    key = {"AttributeName": "pk", "AttributeType": "S"}
    ddb.create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[key],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(100):
        ddb.put_item(
            TableName="items", Item={"pk": {"S": f"item-{n}"}, "count": {"N": "0"}, "v": {"S": "x" * 100}}
        )
    ddb.create_table(
        TableName="pages",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[key, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(200):
        ddb.put_item(
            TableName="pages", Item={"pk": {"S": "p"}, "sk": {"S": f"{n:05d}"}, "v": {"S": "x" * 50}}
        )


def _rate(settings: dict[str, str], operation: str, clients: int) -> float:
    calls = CALLS[clients]
    start = time.time() + START_DELAY_S
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(settings), operation, str(calls), str(start), str(n)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(clients)
    ]
    ends = [float(worker.communicate()[0].strip()) for worker in workers]
    return calls * clients / (max(ends) - start)


@contextlib.contextmanager
def _samlite(src: Path) -> Iterator[dict[str, str]]:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(src)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        started = json.loads(server.stdout.readline())
        yield {
            "endpoint_url": started["url"],
            "region_name": "us-east-1",
            "aws_access_key_id": started["key"],
            "aws_secret_access_key": started["secret"],
        }
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--ops", default=",".join(OPERATIONS))
    args = parser.parse_args()
    operations = args.ops.split(",")
    rates: dict[tuple[str, int, str], list[float]] = {}
    with _samlite(args.src) as samlite, running_ministack() as url:
        ministack = {
            "endpoint_url": url,
            "region_name": "us-east-1",
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }
        systems: list[tuple[str, dict[str, Any]]] = [("samlite", samlite), ("ministack", ministack)]
        for _, settings in systems:
            _fixture(settings)
        for round_number in range(args.rounds):
            for operation in operations:
                for clients in CALLS:
                    order = systems if round_number % 2 == 0 else systems[::-1]
                    for name, settings in order:
                        rates.setdefault((operation, clients, name), []).append(
                            _rate(settings, operation, clients)
                        )
    print(f"samlite from {args.src}, {args.rounds} rounds; requests per second, medians")
    print(f"{'operation':14} {'clients':>7} {'samlite':>8} {'MiniStack':>9} {'ratio':>6}  per round")
    for operation in operations:
        for clients in CALLS:
            ours, theirs = rates[(operation, clients, "samlite")], rates[(operation, clients, "ministack")]
            ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
            medians = f"{statistics.median(ours):8.0f} {statistics.median(theirs):9.0f}"
            rounds = " ".join(f"{ratio:.2f}" for ratio in ratios)
            print(f"{operation:14} {clients:>7} {medians} {statistics.median(ratios):6.2f}  {rounds}")


if __name__ == "__main__":
    main()
