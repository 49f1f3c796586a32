"""The embedded AWS's own CPU time per call, with and without issue 13's changes to moto's models.

One EmbeddedAws in this process; the calls come from a client process of their own (boto3), so the CPU
time this process spends (`time.process_time`, every thread: HTTP server, dispatch, moto) is the
service's cost of the call and nothing of the client's. The same calls run with the moto changes that
write DynamoDB items, S3 XML and S3's nested structures directly (`samlite.moto_changes`:
`dynamodb_attribute_values`, `s3_xml_body`, `s3_structures`) and with those restored to moto's own
code, in alternating rounds so that machine noise hits both; medians of the rounds.

Workloads are bench_vs_ministack's: 1 KiB objects, a 100-item table, a Query page of 50 from 10,000
items on a global secondary index (items written straight into moto's backend).
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src")]

from samlite.endpoint.embedded_aws import EmbeddedAws  # noqa: E402
from samlite.moto_changes import dynamodb_attribute_values, s3_structures, s3_xml_body  # noqa: E402
from samlite.services.wiring import attach  # noqa: E402

CHANGES = (dynamodb_attribute_values.CHANGE, s3_xml_body.CHANGE, s3_structures.CHANGE)
ROUNDS = 3
CALLS = 150
BODY = b"x" * 1024
OBJECTS = 100
QUERY_ITEMS = 10_000
QUERY_PAGE = 50
BUCKET, TABLE, QUERY_TABLE = "bench-models", "bench-models", "bench-models-query"
WORKLOADS = (
    "S3 PutObject",
    "S3 GetObject",
    "S3 HeadObject",
    "S3 ListObjectsV2",
    "DynamoDB PutItem",
    "DynamoDB GetItem",
    "DynamoDB UpdateItem (condition)",
    f"DynamoDB Query, page of {QUERY_PAGE} from {QUERY_ITEMS:,}",
)


def _clients(endpoint: dict[str, str]) -> tuple[Any, Any]:
    import boto3
    from botocore.config import Config

    settings = {
        "endpoint_url": endpoint["url"],
        "region_name": "us-east-1",
        "aws_access_key_id": endpoint["key"],
        "aws_secret_access_key": endpoint["secret"],
        "config": Config(retries={"max_attempts": 1}),
    }
    return boto3.client("s3", **settings), boto3.client("dynamodb", **settings)


def _operations(s3: Any, ddb: Any) -> dict[str, Any]:
    def query(n: int) -> Any:
        start = f"k{(QUERY_ITEMS // 3 + 7 * n) % (QUERY_ITEMS - 2 * QUERY_PAGE):07d}"
        answer = ddb.query(
            TableName=QUERY_TABLE,
            IndexName="live-by-key",
            KeyConditionExpression="listing = :live",
            ExpressionAttributeValues={":live": {"S": "LIVE"}},
            ExclusiveStartKey={"pk": {"S": start}, "key": {"S": start}, "listing": {"S": "LIVE"}},
            Limit=QUERY_PAGE,
        )
        if answer["Count"] != QUERY_PAGE:
            raise RuntimeError(f"Query returned {answer['Count']} items, not {QUERY_PAGE}")

    return {
        "S3 PutObject": lambda n: s3.put_object(Bucket=BUCKET, Key=f"w/{n % 100}", Body=BODY),
        "S3 GetObject": lambda n: s3.get_object(Bucket=BUCKET, Key=f"obj/{n % OBJECTS:03d}")["Body"].read(),
        "S3 HeadObject": lambda n: s3.head_object(Bucket=BUCKET, Key=f"obj/{n % OBJECTS:03d}"),
        "S3 ListObjectsV2": lambda n: s3.list_objects_v2(Bucket=BUCKET, Prefix="obj/"),
        "DynamoDB PutItem": lambda n: ddb.put_item(
            TableName=TABLE, Item={"pk": {"S": f"w-{n % 100}"}, "v": {"S": "x" * 100}}
        ),
        "DynamoDB GetItem": lambda n: ddb.get_item(TableName=TABLE, Key={"pk": {"S": f"item-{n % 100}"}}),
        "DynamoDB UpdateItem (condition)": lambda n: ddb.update_item(
            TableName=TABLE,
            Key={"pk": {"S": f"item-{n % 100}"}},
            UpdateExpression="SET #c = #c + :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        ),
        WORKLOADS[-1]: query,
    }


def _client_main(endpoint: dict[str, str], connection: Any) -> None:
    """Runs in the client process: one workload per request from the parent, `CALLS` calls each."""
    operations = _operations(*_clients(endpoint))
    for operation in operations.values():  # warm: connections, boto3's models, moto's first uses
        for n in range(5):
            operation(n)
    connection.send("ready")
    while (workload := connection.recv()) is not None:
        operation = operations[workload]
        for n in range(CALLS):
            operation(n)
        connection.send("done")


def prepare(aws: EmbeddedAws, endpoint: dict[str, str]) -> None:
    s3, ddb = _clients(endpoint)
    s3.create_bucket(Bucket=BUCKET)
    for n in range(OBJECTS):
        s3.put_object(Bucket=BUCKET, Key=f"obj/{n:03d}", Body=BODY)
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(100):
        ddb.put_item(
            TableName=TABLE, Item={"pk": {"S": f"item-{n}"}, "v": {"S": "x" * 100}, "count": {"N": "0"}}
        )
    ddb.create_table(
        TableName=QUERY_TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "listing", "key")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "live-by-key",
                "KeySchema": [
                    {"AttributeName": "listing", "KeyType": "HASH"},
                    {"AttributeName": "key", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    backend = aws.backend("dynamodb")
    for n in range(QUERY_ITEMS):
        key = f"k{n:07d}"
        item = {
            "pk": {"S": key},
            "key": {"S": key},
            "listing": {"S": "LIVE"},
            "size": {"N": str(1000 + n)},
            "content_type": {"S": "image/jpeg"},
        }
        backend.put_item(QUERY_TABLE, item, overwrite=True)


def _switch(on: bool) -> None:
    for change in CHANGES:
        if on:
            change.apply()
        else:
            change.restore()


def measure(connection: Any, workload: str) -> float:
    """This process's CPU milliseconds per call of `workload` (the client's own time excluded)."""
    began = time.process_time()
    connection.send(workload)
    if connection.recv() != "done":
        raise RuntimeError(f"the client failed on {workload}")
    return (time.process_time() - began) * 1000 / CALLS


def main() -> None:
    aws = EmbeddedAws(port=0)
    attach(aws)
    aws.start()
    try:
        credentials = aws.admin_credentials.as_env()
        endpoint = {
            "url": aws.url,
            "key": credentials["AWS_ACCESS_KEY_ID"],
            "secret": credentials["AWS_SECRET_ACCESS_KEY"],
        }
        prepare(aws, endpoint)
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_client_main, args=(endpoint, child))
        process.start()
        if parent.recv() != "ready":
            raise RuntimeError("the client did not start")
        figures: dict[tuple[str, bool], list[float]] = {}
        for _ in range(ROUNDS):
            for on in (True, False):
                _switch(on)
                for workload in WORKLOADS:
                    figures.setdefault((workload, on), []).append(measure(parent, workload))
        _switch(True)
        parent.send(None)
        process.join(30)
    finally:
        aws.stop()
    report(figures)


def report(figures: dict[tuple[str, bool], list[float]]) -> None:
    print(
        "## The embedded AWS's CPU time per call, issue 13's moto model changes on and off "
        "(bench_moto_models.py)"
    )
    print()
    print(
        f"CPU of the process serving the calls (all threads), per call; {CALLS} calls a round, "
        f"medians of {ROUNDS} alternating rounds; the client is a process of its own."
    )
    print()
    print("| call | with the changes, ms CPU | moto's own code, ms CPU | with / without |")
    print("|---|---|---|---|")
    for workload in WORKLOADS:
        on = statistics.median(figures[(workload, True)])
        off = statistics.median(figures[(workload, False)])
        print(f"| {workload} | {on:.2f} | {off:.2f} | {on / off:.2f}x |")


if __name__ == "__main__":
    main()
