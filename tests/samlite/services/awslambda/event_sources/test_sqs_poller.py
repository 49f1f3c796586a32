"""SQS event-source mappings against moto's in-process SQS: batches, visibility, DLQ, partial responses.

Each test names the page of the AWS Lambda Developer Guide that pins its rule: "Using Lambda with
Amazon SQS" (batching, visibility timeout, FIFO), "Lambda parameters for Amazon SQS event source
mappings", "Handling errors for an SQS event source in Lambda" (partial batch responses),
"Configuring maximum concurrency for Amazon SQS event sources", "Lambda event source mappings"
(6 MB payload). The function is a stand-in that answers what each test scripts; the end-to-end tests
with real workers are in tests/samlite/cloud/test_event_source_mappings.py.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samlite.model import FunctionSpec, InvocationResult
from samlite.services.awslambda.event_sources.config import SQS, MappingConfig, SourceFacts, parse_mapping
from samlite.services.awslambda.event_sources.sqs_poller import SqsPoller
from samlite.services.sqs.lambda_reads import QueueReader
from tests.samlite.embedded import Endpoint, client, running_endpoint

FUNCTION = FunctionSpec("Consumer", "consumer", "app.handler", "python3.12", Path("."), timeout=1)
OK = b"null"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with running_endpoint(iam=False) as started:
        yield started


@dataclass
class Harness:
    """One queue, its poller, and what the stand-in function saw."""

    endpoint: Endpoint
    url: str
    name: str
    poller: SqsPoller
    events: list[dict[str, Any]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def sqs(self) -> Any:
        return client(self.endpoint.aws, "sqs")

    def send(self, *bodies: str, **extra: Any) -> list[dict[str, Any]]:
        return [self.sqs.send_message(QueueUrl=self.url, MessageBody=body, **extra) for body in bodies]

    def bodies(self) -> list[list[str]]:
        return [[r["body"] for r in event["Records"]] for event in self.events]

    def wait_idle(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.poller.idle():
            assert time.monotonic() < deadline, "the poller did not get idle"
            time.sleep(0.01)

    def remaining(self, url: str | None = None) -> list[str]:
        found = self.sqs.receive_message(
            QueueUrl=url or self.url, MaxNumberOfMessages=10, VisibilityTimeout=0
        )
        return [m["Body"] for m in found.get("Messages", [])]


Respond = Callable[[dict[str, Any]], InvocationResult]


def ok(event: dict[str, Any]) -> InvocationResult:
    return InvocationResult("r", OK)


def failing_bodies(*bodies: str) -> Respond:
    def respond(event: dict[str, Any]) -> InvocationResult:
        if any(r["body"] in bodies for r in event["Records"]):
            return InvocationResult(
                "r", b'{"errorMessage": "no", "errorType": "ValueError"}', error_type="ValueError"
            )
        return InvocationResult("r", OK)

    return respond


@pytest.fixture
def harness(endpoint: Endpoint) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(
        respond: Respond = ok,
        *,
        fifo: bool = False,
        visibility_timeout: int = 1,
        max_receive_count: int | None = None,
        function: FunctionSpec = FUNCTION,
        start: bool = True,
        **properties: Any,
    ) -> Harness:
        sqs = client(endpoint.aws, "sqs")
        name = f"q-{uuid.uuid4().hex[:8]}" + (".fifo" if fifo else "")
        attributes = {"VisibilityTimeout": str(visibility_timeout)}
        if fifo:
            attributes.update(FifoQueue="true", ContentBasedDeduplication="true")
        if max_receive_count is not None:
            dlq_name = f"dlq-{uuid.uuid4().hex[:8]}" + (".fifo" if fifo else "")
            dlq_url = sqs.create_queue(QueueName=dlq_name, Attributes={"FifoQueue": "true"} if fifo else {})[
                "QueueUrl"
            ]
            dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
            )
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = f"arn:aws:sqs:us-east-1:123456789012:{name}"
        facts = SourceFacts(SQS, arn, name, fifo=fifo, visibility_timeout_s=visibility_timeout)
        if function.timeout <= visibility_timeout:
            config = parse_mapping("Mapping", "uuid", properties, function=function, source=facts)
        else:  # a zero visibility timeout (the property test): Lambda would refuse the mapping
            config = MappingConfig(
                "Mapping", "uuid", function, facts, batch_size=int(properties.get("BatchSize", 10))
            )
        holder: dict[str, Harness] = {}

        def deliver(_config: MappingConfig, payload: bytes) -> InvocationResult:
            event = json.loads(payload)
            holder["h"].events.append(event)
            holder["h"].times.append(time.monotonic())
            return respond(event)

        reader = QueueReader(endpoint.aws, name, on_dead_letter=lambda moved: poller.dead_lettered(moved))  # noqa: PLW0108 (poller comes next)
        poller = SqsPoller(
            config, reader, deliver, log=lambda _id, line: holder["h"].lines.append(line), region="us-east-1"
        )
        built = Harness(endpoint, url, name, poller)
        holder["h"] = built
        if max_receive_count is not None:
            built.dlq_url = dlq_url  # type: ignore[attr-defined]
        if start:
            poller.start()
        made.append(built)
        return built

    yield make
    for built in made:
        built.poller.stop(5)


# -- batching -------------------------------------------------------------------------------------


def test_batches_hold_up_to_batch_size_messages(harness: Callable[..., Harness]) -> None:
    """Lambda parameters for Amazon SQS event source mappings: BatchSize (default 10)."""
    h = harness(start=False)
    h.send(*[f"m{i}" for i in range(25)])
    h.poller.start()
    h.wait_idle()
    assert sorted(len(batch) for batch in h.bodies()) == [5, 10, 10]
    assert sorted(b for batch in h.bodies() for b in batch) == sorted(f"m{i}" for i in range(25))
    assert h.remaining() == []


def test_a_batch_over_10_gathers_for_the_batching_window(harness: Callable[..., Harness]) -> None:
    """Using Lambda with Amazon SQS: BatchSize up to 10,000 with MaximumBatchingWindowInSeconds."""
    h = harness(start=False, BatchSize=25, MaximumBatchingWindowInSeconds=1)
    h.send(*[f"m{i}" for i in range(30)])
    h.poller.start()
    h.wait_idle()
    assert [len(batch) for batch in h.bodies()] == [25, 5]


def test_the_batching_window_waits_for_more_messages(harness: Callable[..., Harness]) -> None:
    """Using Lambda with Amazon SQS: Lambda keeps polling until the batch window expires."""
    h = harness(BatchSize=10, MaximumBatchingWindowInSeconds=1)
    started = time.monotonic()
    for body in ("a", "b", "c"):
        h.send(body)
        time.sleep(0.1)
    h.wait_idle()
    assert h.bodies() == [["a", "b", "c"]]
    assert h.times[0] - started >= 0.9  # the window counts from the first message


def test_a_batch_stops_short_of_the_6_mb_payload_quota(
    harness: Callable[..., Harness], endpoint: Endpoint
) -> None:
    """Lambda event source mappings, batching behaviour: the payload size reaches 6 MB."""
    h = harness(start=False, BatchSize=100, MaximumBatchingWindowInSeconds=1)
    backend = endpoint.aws.backend("sqs")
    for i in range(40):
        backend.send_message(h.name, f"{i:03d}" + "x" * 200_000)
    h.poller.start()
    h.wait_idle(30)
    sizes = [len(batch) for batch in h.bodies()]
    assert sum(sizes) == 40 and len(sizes) == 2
    assert all(len(json.dumps(event).encode()) <= 6 * 1024 * 1024 for event in h.events)
    assert len(json.dumps(h.events[0]).encode()) > 5.5 * 1024 * 1024  # full up to the quota


# -- failures ---------------------------------------------------------------------------------------


def test_a_failed_batch_comes_back_after_the_visibility_timeout_with_its_receive_count_grown(
    harness: Callable[..., Harness],
) -> None:
    """Using Lambda with Amazon SQS: messages stay hidden for the visibility timeout, then come back."""
    attempts = iter([True, False])
    h = harness(lambda event: failing_bodies("m")(event) if next(attempts) else ok(event))
    h.send("m")
    h.wait_idle()
    assert h.bodies() == [["m"], ["m"]]
    counts = [event["Records"][0]["attributes"]["ApproximateReceiveCount"] for event in h.events]
    assert counts == ["1", "2"]
    assert h.times[1] - h.times[0] >= 0.95
    assert any(
        "failed (ValueError: no): received again after the visibility timeout (1 s)" in line
        for line in h.lines
    )
    assert h.remaining() == []


def test_the_redrive_policy_moves_a_message_to_the_dead_letter_queue_with_a_log_line(
    harness: Callable[..., Harness],
) -> None:
    """Using Lambda with Amazon SQS: after maxReceiveCount receives SQS sends it to the DLQ."""
    h = harness(failing_bodies("poison"), max_receive_count=2)
    h.send("poison", "fine")
    h.wait_idle()
    assert [b for batch in h.bodies() for b in batch].count("poison") == 2
    assert h.remaining(h.dlq_url) == ["poison"]  # type: ignore[attr-defined]
    moved = [line for line in h.lines if "moved to the dead-letter queue" in line]
    assert len(moved) == 1 and "after 2 receives (maxReceiveCount 2" in moved[0]
    assert h.remaining() == []


def test_partial_batch_response_returns_only_the_listed_messages(harness: Callable[..., Harness]) -> None:
    """Handling errors for an SQS event source in Lambda: ReportBatchItemFailures."""
    seen: list[str] = []

    def respond(event: dict[str, Any]) -> InvocationResult:
        failed = [
            r["messageId"] for r in event["Records"] if r["body"] in ("id2", "id4") and r["body"] not in seen
        ]
        seen.extend(r["body"] for r in event["Records"])
        return InvocationResult(
            "r", json.dumps({"batchItemFailures": [{"itemIdentifier": i} for i in failed]}).encode()
        )

    h = harness(respond, start=False, FunctionResponseTypes=["ReportBatchItemFailures"])
    h.send("id1", "id2", "id3", "id4", "id5")
    h.poller.start()
    h.wait_idle()
    first, *again = h.bodies()
    assert first == ["id1", "id2", "id3", "id4", "id5"]
    # back as individual items, maybe in other groupings ("Lambda event source mappings")
    assert sorted(b for batch in again for b in batch) == ["id2", "id4"]
    assert any("2 reported failed" in line and "the other 3 deleted" in line for line in h.lines)


def test_an_unknown_item_identifier_fails_the_whole_batch(harness: Callable[..., Harness]) -> None:
    """Handling errors for an SQS event source: an itemIdentifier that is no message of the batch."""
    # The first batch answers with a stranger's id; the messages then come back (together or, as their
    # visibility ends a moment apart, one by one) and every later batch succeeds.
    answers = iter([{"batchItemFailures": [{"itemIdentifier": "not-a-message"}]}])
    h = harness(
        lambda event: InvocationResult("r", json.dumps(next(answers, None)).encode()),
        start=False,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    h.send("a", "b")
    h.poller.start()
    h.wait_idle()
    first, *again = h.bodies()
    assert first == ["a", "b"] and sorted(b for batch in again for b in batch) == ["a", "b"]
    assert any("'not-a-message' is not an item of the batch" in line for line in h.lines)


def test_without_report_batch_item_failures_a_partial_response_deletes_everything(
    harness: Callable[..., Harness],
) -> None:
    """Handling errors for an SQS event source: responses are read only when the feature is on."""
    h = harness(
        lambda event: InvocationResult("r", b'{"batchItemFailures": [{"itemIdentifier": "x"}]}'), start=False
    )
    h.send("a", "b")
    h.poller.start()
    h.wait_idle()
    assert h.bodies() == [["a", "b"]] and h.remaining() == []


# -- FIFO, concurrency, enabled ---------------------------------------------------------------------


def test_fifo_groups_stay_in_order_and_a_failing_group_does_not_hold_the_others(
    harness: Callable[..., Harness],
) -> None:
    """Using Lambda with Amazon SQS: Lambda sends only one batch at a time for a group, in order."""
    failed_once: set[str] = set()

    def respond(event: dict[str, Any]) -> InvocationResult:
        bodies = [r["body"] for r in event["Records"]]
        assert len({r["attributes"]["MessageGroupId"] for r in event["Records"]}) == 1  # one group a batch
        if "a2" in bodies and "a2" not in failed_once:
            failed_once.add("a2")
            return failing_bodies("a2")(event)
        return ok(event)

    h = harness(respond, fifo=True, start=False, BatchSize=2)
    for i in range(1, 5):
        h.send(f"a{i}", MessageGroupId="a")
        h.send(f"b{i}", MessageGroupId="b")
    h.poller.start()
    h.wait_idle()
    delivered = [b for batch in h.bodies() for b in batch]
    for group in "ab":
        firsts = []
        for body in delivered:
            if body.startswith(group) and body not in firsts:
                firsts.append(body)
        assert firsts == [f"{group}{i}" for i in range(1, 5)]
    # b's messages went on while a's failed batch waited out its visibility timeout
    last_b = max(i for i, body in enumerate(delivered) if body.startswith("b"))
    second_a2 = [i for i, body in enumerate(delivered) if body == "a2"][1]
    assert last_b < second_a2
    assert h.remaining() == []


class PeakCounter:
    """A function that takes 0.15 s over each batch and counts how many batches ran at once, at most."""

    def __init__(self) -> None:
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> InvocationResult:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(0.15)  # the batch's work, long enough for the others to start meanwhile
        with self._lock:
            self.running -= 1
        return ok(event)


def test_maximum_concurrency_caps_the_batches_running_at_once(harness: Callable[..., Harness]) -> None:
    """Configuring maximum concurrency for Amazon SQS event sources (ScalingConfig)."""
    slow = PeakCounter()
    h = harness(slow, start=False, BatchSize=1, ScalingConfig={"MaximumConcurrency": 2})
    h.send(*[f"m{i}" for i in range(8)])
    h.poller.start()
    h.wait_idle()
    assert len(h.events) == 8 and slow.peak == 2


def test_by_default_five_batches_run_at_once_and_reserved_concurrency_lowers_it(
    harness: Callable[..., Harness],
) -> None:
    """Using Lambda with Amazon SQS, scaling: Lambda starts with five concurrent batches."""
    for function, expected in ((FUNCTION, 5), (replace(FUNCTION, reserved_concurrency=3), 3)):
        slow = PeakCounter()
        h = harness(slow, start=False, BatchSize=1, function=function)
        h.send(*[f"m{i}" for i in range(10)])
        h.poller.start()
        h.wait_idle()
        assert slow.peak == expected


def test_a_disabled_mapping_takes_nothing(harness: Callable[..., Harness]) -> None:
    """CreateEventSourceMapping: Enabled false pauses polling and invocation."""
    h = harness(Enabled=False)
    h.send("stays")
    time.sleep(0.2)
    assert h.events == [] and h.poller.idle()
    assert h.remaining() == ["stays"]


def test_a_function_throttled_to_zero_takes_nothing_and_says_so(harness: Callable[..., Harness]) -> None:
    h = harness(function=replace(FUNCTION, reserved_concurrency=0))
    h.send("stays")
    assert any("reserved concurrency of Consumer is 0" in line for line in h.lines)
    assert h.events == [] and h.remaining() == ["stays"]


# -- the event ---------------------------------------------------------------------------------------


def test_the_event_is_the_message_as_sqs_returns_it(harness: Callable[..., Harness]) -> None:
    """Using Lambda with Amazon SQS: the example event, field by field, from the real message."""
    h = harness(start=False)
    before = int(time.time() * 1000)
    sent = h.sqs.send_message(
        QueueUrl=h.url,
        MessageBody='{"order": 1}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "new"}},
    )
    h.poller.start()
    h.wait_idle()
    (record,) = h.events[0]["Records"]
    assert record["messageId"] == sent["MessageId"]
    assert record["md5OfBody"] == sent["MD5OfMessageBody"]
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "new", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    }
    assert record["eventSource"] == "aws:sqs" and record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"] == f"arn:aws:sqs:us-east-1:123456789012:{h.name}"
    attributes = record["attributes"]
    assert attributes["ApproximateReceiveCount"] == "1"
    assert before <= int(attributes["SentTimestamp"]) <= int(attributes["ApproximateFirstReceiveTimestamp"])
    assert attributes["SenderId"]


def test_a_fifo_event_carries_the_group_deduplication_id_and_sequence_number(
    harness: Callable[..., Harness],
) -> None:
    h = harness(fifo=True, start=False)
    sent = h.sqs.send_message(QueueUrl=h.url, MessageBody="o1", MessageGroupId="orders")
    h.poller.start()
    h.wait_idle()
    attributes = h.events[0]["Records"][0]["attributes"]
    assert attributes["MessageGroupId"] == "orders"
    assert attributes["SequenceNumber"] == sent["SequenceNumber"]
    assert attributes["MessageDeduplicationId"]  # content-based: the body's SHA-256


# -- idle -----------------------------------------------------------------------------------------


def test_not_idle_while_a_failed_message_waits_to_come_back_or_a_delay_runs(
    harness: Callable[..., Harness],
) -> None:
    """The pytest plugin's wait(): a message that will come back is not done."""
    attempts = iter([True])
    h = harness(lambda event: failing_bodies("m")(event) if next(attempts, False) else ok(event))
    h.send("m")
    deadline = time.monotonic() + 5
    while not any("received again after the visibility timeout" in line for line in h.lines):
        assert time.monotonic() < deadline, "the failed batch was not handled"
        time.sleep(0.01)
    assert not h.poller.idle()  # hidden, coming back after the visibility timeout
    h.wait_idle()
    assert len(h.events) == 2
    h.send("later", DelaySeconds=1)
    assert not h.poller.idle()
    h.wait_idle()
    assert h.bodies()[-1] == ["later"]


# -- the property: nothing is lost ------------------------------------------------------------------

ACTIONS = st.one_of(
    st.just(("ok",)),
    st.just(("error",)),
    st.just(("invalid",)),
    st.tuples(st.just("partial"), st.lists(st.booleans(), min_size=1, max_size=6)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    messages=st.integers(min_value=1, max_value=12),
    batch_size=st.integers(min_value=1, max_value=5),
    max_receive_count=st.integers(min_value=1, max_value=3),
    script=st.lists(ACTIONS, max_size=30),
)
def test_every_message_ends_processed_or_in_the_dead_letter_queue(
    endpoint: Endpoint, messages: int, batch_size: int, max_receive_count: int, script: list[tuple[Any, ...]]
) -> None:
    """For any sequence of function failures and partial batch responses, no message is lost: each is
    processed (deleted after a success) or moved to the dead-letter queue, never both."""
    actions = iter(script)
    processed: list[str] = []

    def respond(event: dict[str, Any]) -> InvocationResult:
        records = event["Records"]
        action = next(actions, ("ok",))
        if action[0] == "error":
            return failing_bodies(*[r["body"] for r in records])(event)
        if action[0] == "invalid":
            return InvocationResult("r", b'{"batchItemFailures": [{"itemIdentifier": ""}]}')
        failed = [
            r for i, r in enumerate(records) if action[0] == "partial" and action[1][i % len(action[1])]
        ]
        processed.extend(r["body"] for r in records if r not in failed)
        body = {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in failed]}
        return InvocationResult("r", json.dumps(body).encode())

    sqs = client(endpoint.aws, "sqs")
    suffix = uuid.uuid4().hex[:8]
    dlq_url = sqs.create_queue(QueueName=f"dlq-{suffix}")["QueueUrl"]
    policy = {
        "deadLetterTargetArn": f"arn:aws:sqs:us-east-1:123456789012:dlq-{suffix}",
        "maxReceiveCount": max_receive_count,
    }
    name = f"work-{suffix}"
    url = sqs.create_queue(
        QueueName=name, Attributes={"VisibilityTimeout": "0", "RedrivePolicy": json.dumps(policy)}
    )["QueueUrl"]
    function = replace(
        FUNCTION, reserved_concurrency=1
    )  # batches one after the other: the script is in order
    facts = SourceFacts(SQS, f"arn:aws:sqs:us-east-1:123456789012:{name}", name, visibility_timeout_s=0)
    config = MappingConfig(
        "Mapping", "uuid", function, facts, batch_size=batch_size, report_batch_item_failures=True
    )
    bodies = [f"m{i}" for i in range(messages)]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    lines: list[str] = []
    poller: SqsPoller | None = None
    reader = QueueReader(endpoint.aws, name, on_dead_letter=lambda moved: poller.dead_lettered(moved))  # type: ignore[union-attr]  # noqa: PLW0108
    poller = SqsPoller(
        config,
        reader,
        lambda _c, payload: respond(json.loads(payload)),
        log=lambda _id, line: lines.append(line),
        region="us-east-1",
    )
    poller.start()
    try:
        deadline = time.monotonic() + 20
        while not poller.idle():
            assert time.monotonic() < deadline, "not idle"
            time.sleep(0.005)
    finally:
        poller.stop(5)
    dead: list[str] = []
    while found := sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages"):
        dead.extend(m["Body"] for m in found)
        sqs.delete_message_batch(
            QueueUrl=dlq_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(found)],
        )
    assert sorted(set(processed) | set(dead)) == sorted(bodies)
    assert not set(processed) & set(dead)
    assert sorted(dead) == sorted(set(dead))  # each dead-lettered once
    assert len([line for line in lines if "moved to the dead-letter queue" in line]) == len(dead)
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None


def test_a_message_that_matches_no_filter_is_deleted_with_a_log_line(harness: Callable[..., Harness]) -> None:
    """Lambda event filtering, SQS: "If an Amazon SQS message doesn't satisfy your filter criteria,
    Lambda automatically removes the message from the queue"."""
    criteria = {"Filters": [{"Pattern": '{"body": {"kind": ["order"]}}'}]}
    h = harness(start=False, FilterCriteria=criteria)
    h.send('{"kind": "order", "n": 1}', '{"kind": "refund"}', "plain text")
    h.poller.start()
    h.wait_idle()
    assert [b for batch in h.bodies() for b in batch] == ['{"kind": "order", "n": 1}']
    assert h.remaining() == []
    filtered = [line for line in h.lines if "filtered out by FilterCriteria" in line]
    assert len(filtered) == 2 and all(
        "deleted from" in line and "as Lambda does" in line for line in filtered
    )


def test_a_delay_ending_while_idle_is_asked_is_never_idle(
    harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    """idle() asks "takeable now?" and "anything delayed?" against one reading of moto's clock: with two
    readings, a delay ending between them made a message neither takeable nor pending, and wait() went
    on before the message was delivered (seen as a flaky wait under load)."""
    import moto.core.utils

    h = harness(start=False)
    h.send("later", DelaySeconds=1)
    [message] = list(h.poller._queue._queue()._messages)
    readings = iter([message.delayed_until - 5, message.delayed_until + 5])  # before, then after the end
    real = moto.core.utils.unix_time_millis
    monkeypatch.setattr(moto.core.utils, "unix_time_millis", lambda *a: next(readings, None) or real(*a))
    assert not h.poller._queue.settled()
