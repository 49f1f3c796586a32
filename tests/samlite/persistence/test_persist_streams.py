"""`--persist` keeps Kinesis streams and where each event-source mapping is in its stream.

On AWS a stream keeps its records for its retention period whatever its consumers do, and a mapping's
position survives anything short of deleting it ("Lambda event source mappings"; "Using AWS Lambda
with Amazon Kinesis": Lambda checkpoints each shard): after a restart, GetRecords from TRIM_HORIZON
reads the same records with the same sequence numbers, and a TRIM_HORIZON mapping does not hand the
function what it had already processed.
"""

from __future__ import annotations

import base64
import json
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from moto.kinesis.models import kinesis_backends

from samlite.cloud.local_cloud import CloudOptions, LocalCloud
from samlite.errors import StateError
from samlite.persistence.persister import PersistOptions

FIXTURE = Path(__file__).resolve().parents[1] / "persist_streams_fixtures"
PERSIST = PersistOptions(interval=60)  # saved on stop only

Start = Callable[..., LocalCloud]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    return tmp_path


@pytest.fixture
def start(project: Path) -> Start:
    stack_name = f"streams-{uuid.uuid4().hex[:8]}"

    def started(persist: PersistOptions | None = PERSIST) -> LocalCloud:
        lines: list[str] = []
        cloud = LocalCloud(
            CloudOptions(
                template=project / "template.yaml",
                port=0,
                watch=False,
                console=False,
                stack_name=stack_name,
                state_dir=project / ".samlite",
                persist=persist,
                log_sink=lambda source, line: lines.append(line),
            )
        )
        cloud.lines = lines  # type: ignore[attr-defined]
        return cloud.start()

    return started


def _shard_records(kinesis: Any, stream: str) -> dict[str, list[tuple[str, bytes, str, Any]]]:
    found = {}
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        found[shard["ShardId"]] = [
            (r["SequenceNumber"], r["Data"], r["PartitionKey"], r["ApproximateArrivalTimestamp"])
            for r in records
        ]
    return found


def _delivered(cloud: LocalCloud, function_id: str) -> list[str]:
    """Each record the function was given: a DynamoDB key or a Kinesis record's data, in order."""
    seen = []
    for invocation in cloud.invocations(function_id):
        for record in invocation.event.get("Records", []):
            if "dynamodb" in record:
                seen.append(record["dynamodb"]["Keys"]["pk"]["S"])
            else:
                seen.append(base64.b64decode(record["kinesis"]["data"]).decode())
    return seen


def test_a_restart_keeps_a_kinesis_streams_shards_records_and_sequence_numbers(start: Start) -> None:
    cloud = start()
    stream = cloud.outputs["StreamName"]
    kinesis = cloud.client("kinesis")
    for number in range(6):
        kinesis.put_record(StreamName=stream, Data=f"r{number}".encode(), PartitionKey=f"key-{number}")
    kinesis.put_record(StreamName=stream, Data=b"\x00\xff", PartitionKey="p", ExplicitHashKey=str(2**127 + 5))
    kinesis.add_tags_to_stream(StreamName=stream, Tags={"added": "later"})
    kinesis.start_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    mine = f"{stream}-mine"  # the user's own, created through the API: kept too
    kinesis.create_stream(StreamName=mine, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kinesis.put_record(StreamName=mine, Data=b"mine", PartitionKey="m")
    mine_before = _shard_records(kinesis, mine)
    shards_before = kinesis.list_shards(StreamName=stream)["Shards"]
    records_before = _shard_records(kinesis, stream)
    assert sum(map(len, records_before.values())) == 7
    account = cloud.client("sts").get_caller_identity()["Account"]
    cloud.stop()
    # The stop removed the template's stream; a new process would not have the user's either.
    assert kinesis_backends[account]["us-east-1"].streams.pop(mine, None) is not None

    cloud = start()
    try:
        kinesis = cloud.client("kinesis")
        assert kinesis.list_shards(StreamName=stream)["Shards"] == shards_before
        assert _shard_records(kinesis, stream) == records_before
        summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
        assert summary["RetentionPeriodHours"] == 48 and summary["OpenShardCount"] == 2
        assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
        assert (summary["EncryptionType"], summary.get("KeyId")) == ("KMS", "alias/aws/kinesis")
        tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=stream)["Tags"]}
        assert tags == {"team": "data", "added": "later"}
        # A record put after the restart is numbered above what its shard kept.
        put = kinesis.put_record(
            StreamName=stream, Data=b"after", PartitionKey="p", ExplicitHashKey=str(2**127 + 5)
        )
        kept = [number for number, *_ in records_before[put["ShardId"]]]
        assert int(put["SequenceNumber"]) > max(map(int, kept))
        assert _shard_records(kinesis, mine) == mine_before
        mode = kinesis.describe_stream_summary(StreamName=mine)["StreamDescriptionSummary"][
            "StreamModeDetails"
        ]
        assert mode == {"StreamMode": "ON_DEMAND"}
        [restored] = [line for line in cloud.lines if "saved state: restored" in line]  # type: ignore[attr-defined]
        assert " streams (" in restored  # counts include what other tests left in this process's moto
    finally:
        cloud.stop()


def test_stream_mappings_do_not_redeliver_after_a_restart_and_deliver_what_comes_after(start: Start) -> None:
    cloud = start()
    table, stream = cloud.outputs["TableName"], cloud.outputs["StreamName"]
    for number in range(3):
        cloud.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": f"item-{number}"}})
        cloud.client("kinesis").put_record(
            StreamName=stream, Data=f"rec-{number}".encode(), PartitionKey=str(number)
        )
    assert cloud.wait_idle(30)
    assert sorted(_delivered(cloud, "TableReader")) == ["item-0", "item-1", "item-2"]
    assert sorted(_delivered(cloud, "StreamReader")) == ["rec-0", "rec-1", "rec-2"]
    cloud.stop()

    cloud = start()
    try:
        assert any(
            "2 event-source mapping(s) read on from their saved positions" in line for line in cloud.lines
        )  # type: ignore[attr-defined]
        assert cloud.wait_idle(30)
        assert _delivered(cloud, "TableReader") == [] and _delivered(cloud, "StreamReader") == []
        cloud.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": "item-new"}})
        cloud.client("kinesis").put_record(StreamName=stream, Data=b"rec-new", PartitionKey="n")
        assert cloud.wait_idle(30)
        assert _delivered(cloud, "TableReader") == ["item-new"]
        assert _delivered(cloud, "StreamReader") == ["rec-new"]
        # The stream records are still there for any other reader (TRIM_HORIZON reads all four).
        assert sum(map(len, _shard_records(cloud.client("kinesis"), stream).values())) == 4
    finally:
        cloud.stop()

    cloud = start()  # and again: the positions taken after the restart are the ones kept
    try:
        assert cloud.wait_idle(30)
        assert _delivered(cloud, "TableReader") == [] and _delivered(cloud, "StreamReader") == []
    finally:
        cloud.stop()


def test_a_mapping_of_a_new_or_emptied_stream_starts_from_its_starting_position(
    start: Start, project: Path
) -> None:
    cloud = start()
    table = cloud.outputs["TableName"]
    for number in range(3):
        cloud.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": f"item-{number}"}})
    assert cloud.wait_idle(30) and len(_delivered(cloud, "TableReader")) == 3
    cloud.stop()

    # The table's saved content is discarded: its stream starts again from its first sequence number,
    # which the saved position (past three records) would skip.
    cloud = start(PersistOptions(interval=60, reset_resources=("Items",)))
    try:
        assert any(
            "event source TableReaderChanges starts from its StartingPosition" in line
            for line in cloud.lines  # type: ignore[attr-defined]
        )
        cloud.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": "fresh"}})
        assert cloud.wait_idle(30) and _delivered(cloud, "TableReader") == ["fresh"]
    finally:
        cloud.stop()

    # Another table (a new stream ARN) under the same mapping: read from TRIM_HORIZON, as AWS would.
    template = project / "template.yaml"
    template.write_text(template.read_text().replace("Items", "Things"))
    cloud = start()
    try:
        assert any(
            "event source TableReaderChanges starts from its StartingPosition (TRIM_HORIZON)" in line
            for line in cloud.lines  # type: ignore[attr-defined]
        )
        cloud.client("dynamodb").put_item(TableName=cloud.outputs["TableName"], Item={"pk": {"S": "other"}})
        assert cloud.wait_idle(30) and _delivered(cloud, "TableReader") == ["other"]
    finally:
        cloud.stop()


def test_a_stream_whose_shard_count_changed_stops_the_start_naming_it_and_the_flag(
    start: Start, project: Path
) -> None:
    cloud = start()
    stream = cloud.outputs["StreamName"]
    cloud.client("kinesis").put_record(StreamName=stream, Data=b"x", PartitionKey="p")
    cloud.stop()
    template = project / "template.yaml"
    template.write_text(template.read_text().replace("ShardCount: 2", "ShardCount: 3"))

    with pytest.raises(StateError) as refused:
        start()
    message = str(refused.value)
    assert "\n" not in message
    assert f"stream {stream!r} (Events): its shard count changed from 2 to 3" in message
    assert "--reset-resource Events" in message

    cloud = start(PersistOptions(interval=60, reset_resources=("Events",)))
    try:
        assert len(cloud.client("kinesis").list_shards(StreamName=stream)["Shards"]) == 3
    finally:
        cloud.stop()


def test_sqs_messages_in_flight_at_a_clean_stop_are_delivered_once_after_the_restart(start: Start) -> None:
    """SQS needs no position: a processed message is deleted, the others stay in the queue ("Using
    Lambda with Amazon SQS"). A stop lets running batches finish; nothing is delivered twice."""
    cloud = start()
    queue_url = cloud.outputs["QueueUrl"]
    sqs = cloud.client("sqs")
    for number in range(6):
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"n": number, "sleep": 0.8}))
    deadline = time.monotonic() + 30
    while _attribute(sqs, queue_url, "ApproximateNumberOfMessagesNotVisible") < 1:
        assert time.monotonic() < deadline, "the mapping received nothing"
        time.sleep(0.02)
    cloud.stop()  # two batches running (MaximumConcurrency 2): they finish within the stop's grace
    before = [json.loads(r.event["Records"][0]["body"])["n"] for r in cloud.invocations("JobWorker")]
    assert all(r.result.error_type is None for r in cloud.invocations("JobWorker"))

    cloud = start()
    try:
        assert cloud.wait_idle(30)
        after = [json.loads(r.event["Records"][0]["body"])["n"] for r in cloud.invocations("JobWorker")]
        assert sorted(before + after) == list(range(6)), (before, after)
        assert after, "the stop ran everything: nothing was left in flight"
    finally:
        cloud.stop()


def _attribute(sqs: Any, queue_url: str, name: str) -> int:
    return int(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=[name])["Attributes"][name])


def test_messages_a_batching_window_held_at_a_clean_stop_are_visible_at_the_restart(
    start: Start, project: Path
) -> None:
    """A batch still gathering (MaximumBatchingWindowInSeconds) when samlite stops was never given to
    the function: its messages are handed back (visibility 0) instead of staying hidden for the
    visibility timeout (here 20 + 5 + 30 s), so the next start delivers them at once, once."""
    cloud = start()
    queue_url = cloud.outputs["BatchQueueUrl"]
    sqs = cloud.client("sqs")
    for number in range(3):
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"n": number}))
    deadline = time.monotonic() + 30
    while _attribute(sqs, queue_url, "ApproximateNumberOfMessagesNotVisible") < 3:
        assert time.monotonic() < deadline, "the mapping received nothing"
        time.sleep(0.02)
    cloud.stop()
    assert cloud.invocations("BatchWorker") == []
    assert any("3 message(s) received but not invoked" in line for line in cloud.lines)  # type: ignore[attr-defined]
    template = project / "template.yaml"  # the mapping off, so that this test is the queue's only reader
    template.write_text(template.read_text().replace("Enabled: true", "Enabled: false"))

    cloud = start()
    try:
        received = cloud.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        assert sorted(json.loads(m["Body"])["n"] for m in received.get("Messages", [])) == [0, 1, 2]
    finally:
        cloud.stop()
