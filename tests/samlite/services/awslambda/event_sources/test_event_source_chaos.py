"""`--chaos` on polled deliveries: duplicates and delays where the contract allows, order where it binds.

"Lambda event source mappings": "Lambda event source mappings process events at least once ... your
Lambda function may receive duplicate events"; standard queues promise no order ("Using Lambda with
Amazon SQS": "For standard queues, items aren't necessarily processed in order"), FIFO groups and
stream shards do. So chaos duplicates any batch, holds back and reverses standard-queue batches, and
never reorders a FIFO group or a shard (`samlite.services.chaos` contracts).
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

from samlite.model import FunctionSpec, InvocationResult
from samlite.services.awslambda.event_sources.config import KINESIS, SQS, SourceFacts, parse_mapping
from samlite.services.awslambda.event_sources.sqs_poller import SqsPoller
from samlite.services.awslambda.event_sources.stream_poller import StreamPoller, StreamTimings
from samlite.services.chaos import Chaos, ChaosPolicy
from samlite.services.kinesis.stream_reads import DataStream
from samlite.services.sqs.lambda_reads import QueueReader
from tests.samlite.embedded import Endpoint, client, running_endpoint

FUNCTION = FunctionSpec("Consumer", "consumer", "app.handler", "python3.12", Path("."), timeout=1)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with running_endpoint(iam=False) as started:
        yield started


def _idle(poller: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not poller.idle():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _sqs_run(endpoint: Endpoint, policy: ChaosPolicy, *, fifo: bool, bodies: list[str], **properties: Any):  # type: ignore[no-untyped-def]
    sqs = client(endpoint.aws, "sqs")
    name = f"chaos-{uuid.uuid4().hex[:8]}" + (".fifo" if fifo else "")
    attributes = {"VisibilityTimeout": "1"}
    if fifo:
        attributes.update(FifoQueue="true", ContentBasedDeduplication="true")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body, **({"MessageGroupId": "g"} if fifo else {}))
    facts = SourceFacts(
        SQS, f"arn:aws:sqs:us-east-1:123456789012:{name}", name, fifo=fifo, visibility_timeout_s=1
    )
    config = parse_mapping("Mapping", "uuid", properties, function=FUNCTION, source=facts)
    events: list[list[str]] = []
    chaos_lines: list[str] = []
    chaos = Chaos(policy, log=chaos_lines.append)

    def deliver(_config: Any, payload: bytes) -> InvocationResult:
        events.append([r["body"] for r in json.loads(payload)["Records"]])
        return InvocationResult("r", b"null")

    reader = QueueReader(endpoint.aws, name, on_dead_letter=lambda moved: None)
    poller = SqsPoller(config, reader, deliver, log=lambda _id, line: None, region="us-east-1", chaos=chaos)
    poller.start()
    try:
        _idle(poller)
    finally:
        poller.stop(5)
        chaos.close()
    return events, chaos_lines, sqs.receive_message(QueueUrl=url).get("Messages")


def test_duplicates_deliver_every_sqs_batch_twice_and_the_queue_still_empties(endpoint: Endpoint) -> None:
    events, lines, left = _sqs_run(
        endpoint, ChaosPolicy(duplicate=1.0, seed=1), fifo=False, bodies=["a", "b"], BatchSize=1
    )
    assert sorted(b for batch in events for b in batch) == ["a", "a", "b", "b"]
    assert sum("delivering twice" in line for line in lines) == 2
    assert left is None


def test_a_held_back_standard_batch_is_overtaken_and_reversed(endpoint: Endpoint) -> None:
    events, lines, _ = _sqs_run(
        endpoint, ChaosPolicy(reorder=1.0, seed=2), fifo=False, bodies=["m1", "m2", "m3"], BatchSize=3
    )
    assert events == [["m3", "m2", "m1"]]
    assert any("holding back" in line for line in lines)


def test_a_fifo_group_is_never_reordered_even_when_chaos_would(endpoint: Endpoint) -> None:
    bodies = [f"o{i}" for i in range(6)]
    events, lines, left = _sqs_run(
        endpoint,
        ChaosPolicy(reorder=1.0, duplicate=0.5, delay_ms=20, seed=3),
        fifo=True,
        bodies=bodies,
        BatchSize=2,
    )
    firsts: list[str] = []
    for batch in events:
        assert batch == sorted(batch)
        firsts += [b for b in batch if b not in firsts]
    assert firsts == bodies
    assert not any("holding back" in line for line in lines)
    assert left is None


def test_a_shard_is_never_reordered_and_duplicates_repeat_a_batch_in_place(endpoint: Endpoint) -> None:
    kinesis = client(endpoint.aws, "kinesis")
    name = f"chaos-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    for i in range(10):
        kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="k")
    arn = f"arn:aws:kinesis:us-east-1:123456789012:stream/{name}"
    source = DataStream(endpoint.aws, name, arn, invoke_identity_arn="r")
    config = parse_mapping(
        "Mapping",
        "uuid",
        {"StartingPosition": "TRIM_HORIZON", "BatchSize": 2},
        function=FUNCTION,
        source=SourceFacts(KINESIS, arn, name),
    )
    seen: list[list[str]] = []
    chaos = Chaos(ChaosPolicy(duplicate=0.5, reorder=1.0, delay_ms=10, seed=4), log=lambda line: None)

    def deliver(_config: Any, payload: bytes) -> InvocationResult:
        seen.append([base64.b64decode(r["kinesis"]["data"]).decode() for r in json.loads(payload)["Records"]])
        return InvocationResult("r", b"null")

    poller = StreamPoller(
        config,
        source,
        deliver,
        log=lambda _id, line: None,
        send_to_target=lambda a, m: None,
        function_arn="arn",
        timings=StreamTimings(poll_interval_s=0.02),
        chaos=chaos,
    )
    poller.start()
    try:
        _idle(poller)
    finally:
        poller.stop(5)
        chaos.close()
    flat = [value for batch in seen for value in batch]
    deduplicated = [value for i, value in enumerate(flat) if value not in flat[:i]]
    assert deduplicated == [f"r{i}" for i in range(10)]
    assert len(seen) > 5  # some batches came twice
    assert all(seen[i] == seen[i + 1] or seen[i][-1] < seen[i + 1][0] for i in range(len(seen) - 1))
