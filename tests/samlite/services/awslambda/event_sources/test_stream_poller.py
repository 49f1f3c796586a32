"""Stream event-source mappings (DynamoDB streams, Kinesis) over a scripted stream and clock.

The poller's rules, each from the AWS Lambda Developer Guide page named in its test: "Using AWS
Lambda with Amazon Kinesis" and "Using AWS Lambda with Amazon DynamoDB" (starting position, batch
size and window, error handling: retries, record age, split batch on error, on-failure destination,
time windows), "Configuring partial batch response with Kinesis Data Streams and Lambda" (the
checkpoint at the lowest failed sequence number; bisecting at it), "Lambda event source mappings"
(a failing batch pauses its shard; with several batches per shard, order holds per partition key).
The stream is a stand-in with its own clock, so record ages of minutes and windows of seconds take
no time; tests against moto's real streams are in test_stream_order.py.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from samlite.model import FunctionSpec, InvocationResult
from samlite.services.awslambda.event_sources.config import KINESIS, MappingConfig, SourceFacts, parse_mapping
from samlite.services.awslambda.event_sources.stream_poller import StreamPoller, StreamTimings
from samlite.services.stream_records import StreamRecord
from samlite.services.targets import OutboundMessage

FUNCTION = FunctionSpec("Consumer", "consumer", "app.handler", "python3.12", Path("."), timeout=3)
ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:consumer"
T0 = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class FakeStream:
    """A Kinesis-like stream of shards; `put` appends, `read` serves records in order."""

    kind = KINESIS
    arn = ARN
    batch_info_key = "KinesisBatchInfo"
    poll_interval_s = 0.02
    retention_s = 24 * 3600.0

    def __init__(self, clock: Clock, shards: tuple[str, ...] = ("shardId-000000000000",)) -> None:
        self.clock = clock
        self.shards: dict[str, list[StreamRecord]] = {shard: [] for shard in shards}
        self._next = 100
        self._wake: list[Callable[[str], None]] = []
        self.lock = threading.Lock()

    def put(
        self, data: str, key: str = "k", shard: str | None = None, arrival: float | None = None
    ) -> StreamRecord:
        shard = shard or next(iter(self.shards))
        with self.lock:
            self._next += 1
            sequence = self._next
            record = {"kinesis": {"partitionKey": key, "sequenceNumber": str(sequence), "data": data}}
            item = StreamRecord.of(
                sequence, str(sequence), self.clock() if arrival is None else arrival, key, record
            )
            self.shards[shard].append(item)
        for wake in self._wake:
            wake(shard)
        return item

    def shard_ids(self) -> list[str]:
        return list(self.shards)

    def read(self, shard_id: str, after: int, limit: int) -> list[StreamRecord]:
        with self.lock:
            return [r for r in self.shards[shard_id] if r.sequence_number > after][:limit]

    def latest(self, shard_id: str) -> int:
        with self.lock:
            records = self.shards[shard_id]
            return records[-1].sequence_number if records else 0

    def before(self, shard_id: str, timestamp: float) -> int:
        with self.lock:
            earlier = [r.sequence_number for r in self.shards[shard_id] if r.arrival < timestamp]
            return earlier[-1] if earlier else 0

    def subscribe(self, wake: Callable[[str], None]) -> Callable[[], None]:
        self._wake.append(wake)
        return lambda: self._wake.remove(wake)


Respond = Callable[[dict[str, Any]], InvocationResult]


def ok(event: dict[str, Any]) -> InvocationResult:
    return InvocationResult("r", b"null")


def boom(event: dict[str, Any]) -> InvocationResult:
    return InvocationResult(
        "req-1", b'{"errorMessage": "boom", "errorType": "ValueError"}', error_type="ValueError"
    )


def datas(event: dict[str, Any]) -> list[str]:
    return [record["kinesis"]["data"] for record in event["Records"]]


@dataclass
class Run:
    poller: StreamPoller
    stream: FakeStream
    clock: Clock
    events: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def batches(self) -> list[list[str]]:
        return [datas(event) for event in self.events]

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.poller.idle():
            assert time.monotonic() < deadline, f"not idle; log: {self.lines[-3:]}"
            time.sleep(0.005)

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.events) < count:
            assert time.monotonic() < deadline, f"{len(self.events)} of {count} invocations"
            time.sleep(0.005)


@pytest.fixture
def run() -> Iterator[Callable[..., Run]]:
    made: list[Run] = []

    def make(
        respond: Respond = ok,
        *,
        shards: tuple[str, ...] = ("shardId-000000000000",),
        before: Callable[[FakeStream], None] | None = None,
        keep: Callable[[MappingConfig, StreamRecord], bool] | None = None,
        resume: dict[str, list[int]] | None = None,
        **properties: Any,
    ) -> Run:
        clock = Clock()
        stream = FakeStream(clock, shards)
        if before is not None:
            before(stream)
        properties.setdefault("StartingPosition", "TRIM_HORIZON")
        config = parse_mapping(
            "Mapping", "uuid", properties, function=FUNCTION, source=SourceFacts(KINESIS, ARN, "clicks")
        )
        holder: dict[str, Run] = {}
        lock = threading.Lock()

        def deliver(_config: MappingConfig, payload: bytes) -> InvocationResult:
            event = json.loads(payload)
            with lock:
                holder["r"].events.append(event)
            return respond(event)

        def send(arn: str, message: OutboundMessage) -> None:
            holder["r"].sent.append((arn, json.loads(message.body)))

        extra = {"keep": keep} if keep is not None else {}
        poller = StreamPoller(
            config,
            stream,
            deliver,
            log=lambda _id, line: holder["r"].lines.append(line),
            send_to_target=send,
            function_arn=FUNCTION_ARN,
            timings=StreamTimings(retry_base_s=0.001, retry_cap_s=0.004, clock=clock),
            **extra,
        )
        holder["r"] = Run(poller, stream, clock)
        if resume is not None:
            poller.resume_from(resume)
        poller.start()
        made.append(holder["r"])
        return holder["r"]

    yield make
    for made_run in made:
        made_run.poller.stop(5)


def put_all(*values: str, key: str = "k") -> Callable[[FakeStream], None]:
    return lambda stream: [stream.put(value, key) for value in values]


# -- reading ----------------------------------------------------------------------------------------


def test_trim_horizon_reads_every_record_and_latest_only_new_ones(run: Callable[..., Run]) -> None:
    """Using AWS Lambda with Amazon Kinesis: StartingPosition TRIM_HORIZON or LATEST."""
    everything = run(before=put_all("old1", "old2"))
    everything.stream.put("new")
    everything.wait_idle()
    assert [d for batch in everything.batches() for d in batch] == ["old1", "old2", "new"]

    latest = run(before=put_all("old1", "old2"), StartingPosition="LATEST")
    latest.stream.put("new")
    latest.wait_idle()
    assert latest.batches() == [["new"]]


def test_a_resumed_mapping_reads_on_after_its_checkpoint_and_reports_where_it_is(
    run: Callable[..., Run],
) -> None:
    """Lambda event source mappings: a mapping's position in a shard survives anything short of
    deleting it (what --persist keeps across a restart); TRIM_HORIZON applies to a new mapping only."""
    shard = "shardId-000000000000"
    resumed = run(before=put_all("a", "b", "c", "d"), resume={shard: [102]}, BatchSize=10)
    resumed.wait_idle()
    assert resumed.batches() == [["c", "d"]]
    assert resumed.poller.checkpoints() == {shard: [104]}

    # A checkpoint past the shard's last record (what came after the saved records was lost with a
    # kill -9) is taken back to it: what is put next is delivered, not skipped.
    ahead = run(before=put_all("a", "b"), resume={shard: [999]})
    ahead.stream.put("new")
    ahead.wait_idle()
    assert ahead.batches() == [["new"]]


def test_a_checkpoint_of_another_parallelization_factor_resumes_every_lane_from_the_lowest(
    run: Callable[..., Run],
) -> None:
    """Records may come again (at least once), never be skipped, when ParallelizationFactor changed."""
    shard = "shardId-000000000000"

    def keyed(stream: FakeStream) -> None:
        for number in range(8):
            stream.put(f"v{number}", key=f"key-{number}")

    resumed = run(before=keyed, resume={shard: [104]}, ParallelizationFactor=2, BatchSize=10)
    resumed.wait_idle()
    assert sorted(d for batch in resumed.batches() for d in batch) == ["v4", "v5", "v6", "v7"]
    assert resumed.poller.checkpoints()[shard] == [108, 108]


def test_at_timestamp_starts_at_the_first_record_that_arrived_then(run: Callable[..., Run]) -> None:
    """CreateEventSourceMapping: AT_TIMESTAMP with StartingPositionTimestamp, Kinesis only."""

    def history(stream: FakeStream) -> None:
        for offset, value in ((0, "a"), (10, "b"), (20, "c")):
            stream.put(value, arrival=T0 + offset)

    mapping = run(before=history, StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=T0 + 10)
    mapping.wait_idle()
    assert mapping.batches() == [["b", "c"]]


def test_batches_hold_batch_size_records_in_order(run: Callable[..., Run]) -> None:
    """Using AWS Lambda with Amazon Kinesis: BatchSize (default 100)."""
    mapping = run(before=put_all(*[f"r{i:03d}" for i in range(250)]))
    mapping.wait_idle()
    assert [len(batch) for batch in mapping.batches()] == [100, 100, 50]
    assert [d for batch in mapping.batches() for d in batch] == [f"r{i:03d}" for i in range(250)]


def test_the_batching_window_gathers_records_before_invoking(run: Callable[..., Run]) -> None:
    """Using AWS Lambda with Amazon Kinesis: MaximumBatchingWindowInSeconds buffers records."""
    mapping = run(BatchSize=10, MaximumBatchingWindowInSeconds=1)
    started = time.monotonic()
    for value in ("a", "b", "c"):
        mapping.stream.put(value)
        time.sleep(0.05)
    mapping.wait_idle()
    assert mapping.batches() == [["a", "b", "c"]]
    assert time.monotonic() - started >= 0.95


def test_a_full_batch_does_not_wait_for_the_window(run: Callable[..., Run]) -> None:
    mapping = run(before=put_all("a", "b"), BatchSize=2, MaximumBatchingWindowInSeconds=300)
    mapping.wait_for(1, timeout=2)
    assert mapping.batches() == [["a", "b"]]


# -- errors ---------------------------------------------------------------------------------------


def test_a_failing_batch_blocks_its_shard_with_a_log_line_at_each_retry(run: Callable[..., Run]) -> None:
    """Lambda event source mappings: the mapping pauses the affected shard until the error is resolved."""
    failures = {"shardId-000000000000": 3}

    def respond(event: dict[str, Any]) -> InvocationResult:
        if "a1" in datas(event) and failures["shardId-000000000000"]:
            failures["shardId-000000000000"] -= 1
            return boom(event)
        return ok(event)

    shards = ("shardId-000000000000", "shardId-000000000001")
    mapping = run(respond, shards=shards)
    mapping.stream.put("a1", shard=shards[0])
    mapping.stream.put("b1", shard=shards[1])
    mapping.wait_for(4)
    mapping.stream.put("a2", shard=shards[0])
    mapping.stream.put("b2", shard=shards[1])
    mapping.wait_idle()
    delivered = [d for batch in mapping.batches() for d in batch]
    assert delivered.count("a1") == 4
    assert delivered.index("a2") > max(i for i, d in enumerate(delivered) if d == "a1")  # a2 waited for a1
    retries = [
        line for line in mapping.lines if "the shard is blocked until it succeeds or is given up" in line
    ]
    assert len(retries) == 3
    assert "attempt 1;" in retries[0] and "failed (ValueError: boom)" in retries[0]
    assert "shardId-000000000000" in retries[0]


def test_retries_stop_at_maximum_retry_attempts_and_the_batch_goes_to_the_on_failure_destination(
    run: Callable[..., Run],
) -> None:
    """Using AWS Lambda with Amazon Kinesis, error handling: retry attempts, on-failure destination (the
    invocation record carries the batch's metadata, not its records)."""
    destination = "arn:aws:sqs:us-east-1:123456789012:failed"

    def respond(event: dict[str, Any]) -> InvocationResult:
        return boom(event) if "bad" in datas(event) else ok(event)

    mapping = run(
        respond,
        before=put_all("bad", "also-in-batch"),
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    mapping.stream.put("next")
    mapping.wait_idle()
    assert mapping.batches() == [["bad", "also-in-batch"]] * 3 + [["next"]]
    ((arn, record),) = mapping.sent
    first, second = mapping.stream.shards["shardId-000000000000"][:2]
    assert arn == destination
    assert record["requestContext"] == {
        "requestId": "req-1",
        "functionArn": FUNCTION_ARN,
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["version"] == "1.0" and record["timestamp"].endswith("Z")
    assert record["KinesisBatchInfo"] == {
        "shardId": "shardId-000000000000",
        "startSequenceNumber": first.sequence_text,
        "endSequenceNumber": second.sequence_text,
        "approximateArrivalOfFirstRecord": "2023-11-14T22:13:20.000Z",
        "approximateArrivalOfLastRecord": "2023-11-14T22:13:20.000Z",
        "batchSize": 2,
        "streamArn": ARN,
    }
    assert "Records" not in record
    assert any("given up after 3 attempt(s) (RetryAttemptsExhausted)" in line for line in mapping.lines)


def test_without_a_destination_a_given_up_batch_is_said_discarded(run: Callable[..., Run]) -> None:
    mapping = run(boom, before=put_all("bad"), MaximumRetryAttempts=0)
    mapping.wait_idle()
    assert len(mapping.events) == 1
    assert any("discarded (no DestinationConfig.OnFailure)" in line for line in mapping.lines)


def test_records_older_than_maximum_record_age_are_given_up_unsent(run: Callable[..., Run]) -> None:
    """Using AWS Lambda with Amazon Kinesis: Maximum age of record."""
    destination = "arn:aws:sns:us-east-1:123456789012:failed"

    def history(stream: FakeStream) -> None:
        stream.put("stale", arrival=T0 - 120)
        stream.put("fresh", arrival=T0)

    mapping = run(
        before=history,
        MaximumRecordAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    mapping.wait_idle()
    assert mapping.batches() == [["fresh"]]
    ((_, record),) = mapping.sent
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record  # the batch never reached the function
    assert record["KinesisBatchInfo"]["batchSize"] == 1
    assert any("older than 60 s (MaximumRecordAgeInSeconds)" in line for line in mapping.lines)


def test_a_batch_that_ages_out_while_retried_is_given_up(run: Callable[..., Run]) -> None:
    """Using AWS Lambda with Amazon Kinesis: retried until the records exceed the maximum age."""
    mapping = run(boom, before=put_all("bad"), MaximumRecordAgeInSeconds=60)
    mapping.wait_for(3)
    mapping.clock.now += 61
    mapping.wait_idle()
    assert any("(RecordAgeExceeded)" in line for line in mapping.lines)


def test_bisect_splits_a_failed_batch_and_retries_the_halves_in_order(run: Callable[..., Run]) -> None:
    """Using AWS Lambda with Amazon Kinesis: split batch on error; a split is not a retry."""

    def respond(event: dict[str, Any]) -> InvocationResult:
        return boom(event) if "r3" in datas(event) else ok(event)

    mapping = run(
        respond,
        before=put_all("r1", "r2", "r3", "r4"),
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=1,
    )
    mapping.wait_idle()
    assert mapping.batches() == [["r1", "r2", "r3", "r4"], ["r1", "r2"], ["r3", "r4"], ["r3"], ["r3"], ["r4"]]
    assert sum("split in two (BisectBatchOnFunctionError)" in line for line in mapping.lines) == 2
    assert any("given up after 2 attempt(s)" in line and "sequence number" in line for line in mapping.lines)


def test_report_batch_item_failures_checkpoints_before_the_lowest_failed_record(
    run: Callable[..., Run],
) -> None:
    """Configuring partial batch response with Kinesis: Lambda retries from the lowest failed record."""
    answered: list[str] = []

    def respond(event: dict[str, Any]) -> InvocationResult:
        if not answered:
            answered.append("x")
            failed = [
                r["kinesis"]["sequenceNumber"]
                for r in event["Records"]
                if r["kinesis"]["data"] in ("r5", "r3")
            ]
            return InvocationResult(
                "r", json.dumps({"batchItemFailures": [{"itemIdentifier": s} for s in failed]}).encode()
            )
        return ok(event)

    mapping = run(
        respond,
        before=put_all("r1", "r2", "r3", "r4", "r5"),
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    mapping.wait_idle()
    assert mapping.batches() == [["r1", "r2", "r3", "r4", "r5"], ["r3", "r4", "r5"]]
    assert any("batchItemFailures" in line and "attempt 1" in line for line in mapping.lines)


def test_with_bisect_a_partial_response_retries_only_the_rest_of_the_batch(run: Callable[..., Run]) -> None:
    """Configuring partial batch response: with BisectBatchOnFunctionError the batch is bisected at the
    returned sequence number and only the remaining records are retried."""
    gate = threading.Event()
    answered: list[str] = []

    def respond(event: dict[str, Any]) -> InvocationResult:
        if not answered:
            answered.append("x")
            gate.wait(5)  # a record arrives while the first batch runs
            seq = next(
                r["kinesis"]["sequenceNumber"] for r in event["Records"] if r["kinesis"]["data"] == "r2"
            )
            return InvocationResult(
                "r", json.dumps({"batchItemFailures": [{"itemIdentifier": seq}]}).encode()
            )
        return ok(event)

    mapping = run(
        respond,
        before=put_all("r1", "r2", "r3"),
        FunctionResponseTypes=["ReportBatchItemFailures"],
        BisectBatchOnFunctionError=True,
    )
    mapping.wait_for(1)
    mapping.stream.put("r4")
    gate.set()
    mapping.wait_idle()
    assert mapping.batches() == [["r1", "r2", "r3"], ["r2", "r3"], ["r4"]]


def test_an_invalid_partial_response_fails_the_whole_batch(run: Callable[..., Run]) -> None:
    answers = iter([b'{"batchItemFailures": [{"itemIdentifier": null}]}'])

    def respond(event: dict[str, Any]) -> InvocationResult:
        return InvocationResult("r", next(answers, b"{}"))

    mapping = run(respond, before=put_all("r1", "r2"), FunctionResponseTypes=["ReportBatchItemFailures"])
    mapping.wait_idle()
    assert mapping.batches() == [["r1", "r2"], ["r1", "r2"]]


# -- parallelization, filters, windows ------------------------------------------------------------


def test_parallel_batches_keep_each_partition_key_in_order(run: Callable[..., Run]) -> None:
    """Lambda event source mappings: with several batches per shard, in-order processing is still
    guaranteed for each partition key (ParallelizationFactor)."""
    probe = StreamRecord.of(1, "1", T0, "slow", {})
    fast_key = next(
        k for k in (f"k{i}" for i in range(50)) if StreamRecord.of(1, "1", T0, k, {}).lane(2) != probe.lane(2)
    )
    fast_done = threading.Event()

    def respond(event: dict[str, Any]) -> InvocationResult:
        keys = {r["kinesis"]["partitionKey"] for r in event["Records"]}
        if "slow" in keys:
            assert fast_done.wait(5), "the other lane did not run meanwhile"
        if fast_key in keys:
            fast_done.set()
        return ok(event)

    mapping = run(respond, ParallelizationFactor=2, BatchSize=2)
    for i in range(4):
        mapping.stream.put(f"slow{i}", key="slow")
    for i in range(4):
        mapping.stream.put(f"fast{i}", key=fast_key)
    mapping.wait_idle()
    delivered = [d for batch in mapping.batches() for d in batch]
    assert [d for d in delivered if d.startswith("slow")] == [f"slow{i}" for i in range(4)]
    assert [d for d in delivered if d.startswith("fast")] == [f"fast{i}" for i in range(4)]
    assert all(len({r["kinesis"]["partitionKey"] for r in e["Records"]}) == 1 for e in mapping.events)


def test_records_that_match_no_filter_are_skipped_with_a_log_line(run: Callable[..., Run]) -> None:
    """Lambda event filtering: the iterator advances past a record that does not match."""
    mapping = run(
        before=put_all("keep1", "drop", "keep2"),
        keep=lambda config, record: record.record["kinesis"]["data"].startswith("keep"),
    )
    mapping.wait_idle()
    assert mapping.batches() == [["keep1", "keep2"]]
    assert sum("filtered out by FilterCriteria" in line for line in mapping.lines) == 1
    only_filtered = run(before=put_all("drop"), keep=lambda config, record: False)
    only_filtered.wait_idle()
    assert only_filtered.events == []


def test_tumbling_windows_carry_state_and_end_with_a_final_invocation(run: Callable[..., Run]) -> None:
    """Using AWS Lambda with Amazon Kinesis, time windows: state across invocations, one window per
    batch, isFinalInvokeForWindow at the end."""

    def respond(event: dict[str, Any]) -> InvocationResult:
        state = dict(event["state"])
        state["count"] = state.get("count", 0) + len(event["Records"])
        return InvocationResult("r", json.dumps({"state": state}).encode())

    def history(stream: FakeStream) -> None:
        stream.put("w1a", arrival=T0 + 1)
        stream.put("w1b", arrival=T0 + 5)
        stream.put("w2a", arrival=T0 + 12)

    mapping = run(respond, before=history, TumblingWindowInSeconds=10)
    mapping.clock.now = T0 + 15
    mapping.wait_for(3)
    first, final, second = mapping.events[:3]
    assert datas(first) == ["w1a", "w1b"] and first["state"] == {}
    assert first["window"] == {"start": "2023-11-14T22:13:20Z", "end": "2023-11-14T22:13:30Z"}
    assert first["shardId"] == "shardId-000000000000" and first["eventSourceARN"] == ARN
    assert not first["isFinalInvokeForWindow"] and not first["isWindowTerminatedEarly"]
    assert final["Records"] == [] and final["isFinalInvokeForWindow"] and final["state"] == {"count": 2}
    assert datas(second) == ["w2a"] and second["state"] == {}
    assert not mapping.poller.idle()  # the second window is still open
    mapping.clock.now = T0 + 21
    mapping.wait_idle()
    assert mapping.events[-1]["isFinalInvokeForWindow"] and mapping.events[-1]["state"] == {"count": 1}


def test_a_window_response_without_state_is_a_failed_invocation(run: Callable[..., Run]) -> None:
    answers = iter([b'{"count": 1}'])

    def respond(event: dict[str, Any]) -> InvocationResult:
        return InvocationResult("r", next(answers, b'{"state": {}}'))

    mapping = run(respond, before=put_all("a"), TumblingWindowInSeconds=10)
    mapping.wait_for(2)
    assert datas(mapping.events[0]) == datas(mapping.events[1]) == ["a"]
    assert any("must contain a 'state' property" in line for line in mapping.lines)


def test_a_state_over_1_mb_ends_the_window_early(run: Callable[..., Run]) -> None:
    """Time windows: a state over 1 MB makes Lambda terminate the window early."""

    def respond(event: dict[str, Any]) -> InvocationResult:
        if event["isFinalInvokeForWindow"]:
            return ok(event)
        return InvocationResult("r", json.dumps({"state": {"big": "x" * (1024 * 1024 + 1)}}).encode())

    mapping = run(respond, before=put_all("a"), TumblingWindowInSeconds=900)
    mapping.wait_for(2)
    final = mapping.events[1]
    assert final["isFinalInvokeForWindow"] and final["isWindowTerminatedEarly"]


# -- idle and reset -----------------------------------------------------------------------------------


def test_not_idle_while_a_batch_is_retried_and_reset_drops_the_retries(run: Callable[..., Run]) -> None:
    mapping = run(boom, before=put_all("bad"))
    mapping.wait_for(2)
    assert not mapping.poller.idle()
    mapping.poller.reset()
    mapping.wait_idle()
    mapping.stream.put("after-reset")
    mapping.wait_for(1)


def test_a_disabled_mapping_reads_nothing(run: Callable[..., Run]) -> None:
    mapping = run(before=put_all("a"), Enabled=False)
    time.sleep(0.1)
    assert mapping.events == [] and mapping.poller.idle()


def test_new_shards_are_read_from_their_first_record(run: Callable[..., Run]) -> None:
    """A shard split or merge adds shards; their records are read too."""
    mapping = run(StartingPosition="LATEST")
    with mapping.stream.lock:
        mapping.stream.shards["shardId-000000000002"] = []
    mapping.stream.put("child", shard="shardId-000000000002")
    deadline = time.monotonic() + 5
    while not mapping.events:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert mapping.batches() == [["child"]]


def test_timings_back_off_up_to_their_cap() -> None:
    timings = replace(StreamTimings(), retry_base_s=0.05, retry_cap_s=1.0)
    assert [timings.retry_delay(n) for n in (1, 2, 3, 5, 9)] == [0.05, 0.1, 0.2, 0.8, 1.0]


def test_filter_criteria_select_records_by_their_decoded_data(run: Callable[..., Run]) -> None:
    """Using event filtering with a Kinesis event source: patterns on the `data` key, decoded JSON."""

    def encoded(*values: dict[str, Any]) -> Callable[[FakeStream], None]:
        return lambda stream: [stream.put(base64.b64encode(json.dumps(v).encode()).decode()) for v in values]

    criteria = {"Filters": [{"Pattern": '{"data": {"RequestCode": ["AAAA"]}}'}]}
    mapping = run(before=encoded({"RequestCode": "AAAA"}, {"RequestCode": "BBBB"}), FilterCriteria=criteria)
    mapping.wait_idle()
    (event,) = mapping.events
    assert [json.loads(base64.b64decode(d)) for d in datas(event)] == [{"RequestCode": "AAAA"}]
    assert sum("filtered out by FilterCriteria" in line for line in mapping.lines) == 1
