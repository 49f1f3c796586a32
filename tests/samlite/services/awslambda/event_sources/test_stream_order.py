"""Records reach the function in order per shard and partition key, under retries and bisection.

"Lambda event source mappings": "the event source mapping ... processes items in each shard in order"
and, with several batches per shard, "in-order processing is still guaranteed for each partition key";
"Using AWS Lambda with Amazon DynamoDB / Kinesis" (retries, BisectBatchOnFunctionError) and the
partial batch response pages (the checkpoint at the lowest failed sequence number). For any script of
function errors and partial failures, one property per stream type, on moto's real streams: every
record is processed, and the records of one key are first processed in the order they were written.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samlite.model import FunctionSpec, InvocationResult
from samlite.services.awslambda.event_sources.config import DYNAMODB, KINESIS, SourceFacts, parse_mapping
from samlite.services.awslambda.event_sources.stream_poller import StreamPoller, StreamTimings
from samlite.services.dynamodb.stream_reads import TableStream
from samlite.services.kinesis.stream_reads import DataStream
from samlite.services.stream_records import ShardSource
from tests.samlite.embedded import Endpoint, client, create_pk_table, running_endpoint

FUNCTION = FunctionSpec("Consumer", "consumer", "app.handler", "python3.12", Path("."), timeout=3)
KEYS = ("k0", "k1", "k2", "k3")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with running_endpoint(iam=False) as started:
        yield started


ACTIONS = st.one_of(st.just(("error",)), st.tuples(st.just("partial"), st.integers(0, 9)), st.just(("ok",)))
MAPPINGS = st.fixed_dictionaries(
    {
        "BatchSize": st.integers(1, 6),
        "BisectBatchOnFunctionError": st.booleans(),
        "FunctionResponseTypes": st.sampled_from([[], ["ReportBatchItemFailures"]]),
        "ParallelizationFactor": st.integers(1, 3),
    }
)


def _drive(
    source: ShardSource, kind: str, properties: dict[str, Any], script: list[tuple[Any, ...]], identify: Any
) -> tuple[list[tuple[str, int]], list[str]]:
    """Run a poller over `source` with a function answering `script`; returns each first successful
    processing as (key, sequence number), in processing order, and the log."""
    actions = iter(script)
    processed: list[tuple[str, int]] = []
    done: set[int] = set()
    lines: list[str] = []

    def deliver(_config: Any, payload: bytes) -> InvocationResult:
        records = json.loads(payload)["Records"]
        keyed = [identify(record) for record in records]
        action = next(actions, ("ok",))
        if action[0] == "error":
            return InvocationResult("r", b'{"errorMessage": "scripted"}', error_type="Error")
        succeeded = len(records)
        response: dict[str, Any] = {}
        if action[0] == "partial" and properties["FunctionResponseTypes"]:
            succeeded = action[1] % len(records)
            response = {"batchItemFailures": [{"itemIdentifier": str(keyed[succeeded][1])}]}
        for key, number in keyed[:succeeded]:
            if number not in done:
                done.add(number)
                processed.append((key, number))
        return InvocationResult("r", json.dumps(response).encode())

    facts = SourceFacts(kind, source.arn, "source")
    config = parse_mapping(
        "Mapping", "uuid", {**properties, "StartingPosition": "TRIM_HORIZON"}, function=FUNCTION, source=facts
    )
    poller = StreamPoller(
        config,
        source,
        deliver,
        log=lambda _id, line: lines.append(line),
        send_to_target=lambda arn, message: None,
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:consumer",
        timings=StreamTimings(retry_base_s=0.0005, retry_cap_s=0.002, poll_interval_s=0.02),
    )
    poller.start()
    try:
        deadline = time.monotonic() + 30
        while not poller.idle():
            assert time.monotonic() < deadline, f"not idle: {lines[-3:]}"
            time.sleep(0.005)
    finally:
        poller.stop(5)
    return processed, lines


def _in_order_per_key(processed: list[tuple[str, int]], written: dict[str, list[int]]) -> None:
    for key, numbers in written.items():
        assert [n for k, n in processed if k == key] == numbers, f"key {key} out of order or incomplete"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    properties=MAPPINGS,
    script=st.lists(ACTIONS, max_size=25),
    writes=st.lists(st.sampled_from(KEYS), min_size=1, max_size=20),
)
def test_dynamodb_stream_records_are_processed_in_order_per_item(
    endpoint: Endpoint, properties: dict[str, Any], script: list[tuple[Any, ...]], writes: list[str]
) -> None:
    dynamodb = client(endpoint.aws, "dynamodb")
    name = f"order-{uuid.uuid4().hex[:8]}"
    create_pk_table(
        dynamodb, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )
    for index, key in enumerate(writes):
        dynamodb.put_item(TableName=name, Item={"pk": {"S": key}, "n": {"N": str(index)}})
    source = TableStream(endpoint.aws, name, f"arn:aws:dynamodb:us-east-1:123456789012:table/{name}/stream/x")
    (shard,) = source.shard_ids()
    written: dict[str, list[int]] = {}
    for record in source.read(shard, 0, 100):
        written.setdefault(record.record["dynamodb"]["Keys"]["pk"]["S"], []).append(record.sequence_number)

    def identify(record: dict[str, Any]) -> tuple[str, int]:
        return record["dynamodb"]["Keys"]["pk"]["S"], int(record["dynamodb"]["SequenceNumber"])

    processed, _ = _drive(source, DYNAMODB, properties, script, identify)
    _in_order_per_key(processed, written)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    properties=MAPPINGS,
    script=st.lists(ACTIONS, max_size=25),
    writes=st.lists(st.sampled_from(KEYS), min_size=1, max_size=20),
)
def test_kinesis_records_are_processed_in_order_per_shard_and_partition_key(
    endpoint: Endpoint, properties: dict[str, Any], script: list[tuple[Any, ...]], writes: list[str]
) -> None:
    kinesis = client(endpoint.aws, "kinesis")
    name = f"order-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=2)
    for index, key in enumerate(writes):
        kinesis.put_record(StreamName=name, Data=f"{key}:{index}".encode(), PartitionKey=key)
    source = DataStream(
        endpoint.aws, name, f"arn:aws:kinesis:us-east-1:123456789012:stream/{name}", invoke_identity_arn="r"
    )
    written: dict[str, list[int]] = {}
    for shard in source.shard_ids():
        for record in source.read(shard, 0, 100):
            written.setdefault(record.partition_key, []).append(record.sequence_number)

    def identify(record: dict[str, Any]) -> tuple[str, int]:
        assert (
            base64.b64decode(record["kinesis"]["data"]).decode().startswith(record["kinesis"]["partitionKey"])
        )
        return record["kinesis"]["partitionKey"], int(record["kinesis"]["sequenceNumber"])

    processed, _ = _drive(source, KINESIS, properties, script, identify)
    _in_order_per_key(processed, written)
