"""`--persist` across restarts of one stack, on a small fixture template (LocalCloud, IAM on).

A stop removes the stack's resources from moto's process-wide backends, so a second start in this
process finds moto as a new process would: empty. What it then holds came from `.samlite/state/`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.cloud.local_cloud import LocalCloud
from samlite.errors import StateError
from samlite.persistence.persister import PersistOptions
from tests.samlite.embedded import cloud_options, copy_project, stack_name

FIXTURE = Path(__file__).resolve().parents[1] / "persistence_fixtures"

Start = Callable[..., LocalCloud]
PERSIST = PersistOptions(interval=60)  # saved on stop only, unless a test says otherwise


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(FIXTURE, tmp_path)


@pytest.fixture
def start(project: Path) -> Start:
    """Starts the fixture's stack (one stack name per test) with `--persist` unless told otherwise."""
    name = stack_name("persist")
    lines: list[str] = []

    def started(persist: PersistOptions | None = PERSIST, **options: Any) -> LocalCloud:
        lines.clear()
        cloud = LocalCloud(
            cloud_options(
                project / "template.yaml",
                state_dir=project / ".samlite",
                stack_name=name,
                console=False,
                persist=persist,
                log_sink=lambda source, line: lines.append(line),
                **options,
            )
        )
        cloud.lines = lines  # type: ignore[attr-defined]
        return cloud.start()

    return started


def test_the_administrator_key_is_the_same_at_every_start_of_a_stack(start: Start, project: Path) -> None:
    first = start(persist=None)
    key = first.admin_credentials
    first.stop()
    second = start(persist=None)
    try:
        assert second.admin_credentials == key
        # A client made with the first start's key goes on working after the restart.
        assert second.client("sts").get_caller_identity()["Arn"].endswith(":user/samlite-admin")
        saved = json.loads((project / ".samlite" / "credentials.json").read_text())
        assert (project / ".samlite" / "credentials.json").stat().st_mode & 0o077 == 0
        assert list(saved["stacks"].values()) == [
            {"AccessKeyId": key.access_key_id, "SecretAccessKey": key.secret_access_key}
        ]
    finally:
        second.stop()


def test_a_restart_keeps_objects_items_and_messages_and_invokes_nothing(start: Start) -> None:
    cloud = start()
    bucket, table, queue_url = (cloud.outputs[k] for k in ("BucketName", "TableName", "QueueUrl"))
    s3, dynamodb, sqs = cloud.client("s3"), cloud.client("dynamodb"), cloud.client("sqs")
    first = s3.put_object(Bucket=bucket, Key="a b/ü.txt", Body=b"one", ContentType="text/plain")
    s3.put_object(Bucket=bucket, Key="a b/ü.txt", Body=b"two", Metadata={"colour": "blue"})
    s3.put_object(Bucket=bucket, Key="gone.txt", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="gone.txt")  # a delete marker over the only version
    s3.put_object_tagging(Bucket=bucket, Key="a b/ü.txt", Tagging={"TagSet": [{"Key": "t", "Value": "v"}]})
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "1"}, "n": {"N": "1.5"}})
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "2"}, "b": {"B": b"\x00\xff"}})
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="first",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "k"}},
    )
    sqs.send_message(QueueUrl=queue_url, MessageBody="second")
    assert cloud.wait_idle(30)
    assert len(cloud.invocations("Counter")) == 3  # the three puts (ObjectCreated only)
    versions_before = s3.list_object_versions(Bucket=bucket)
    cloud.stop()

    cloud = start()
    try:
        s3, dynamodb, sqs = cloud.client("s3"), cloud.client("dynamodb"), cloud.client("sqs")
        versions_after = s3.list_object_versions(Bucket=bucket)
        for listing in ("Versions", "DeleteMarkers"):
            assert _versions(versions_after[listing]) == _versions(versions_before[listing])
        current = s3.get_object(Bucket=bucket, Key="a b/ü.txt")
        assert current["Body"].read() == b"two" and current["Metadata"] == {"colour": "blue"}
        older = s3.get_object(Bucket=bucket, Key="a b/ü.txt", VersionId=first["VersionId"])
        assert older["Body"].read() == b"one" and older["ContentType"] == "text/plain"
        assert s3.get_object_tagging(Bucket=bucket, Key="a b/ü.txt")["TagSet"] == [{"Key": "t", "Value": "v"}]
        with pytest.raises(ClientError, match="NoSuchKey"):
            s3.get_object(Bucket=bucket, Key="gone.txt")
        items = dynamodb.query(
            TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}
        )["Items"]
        assert items == [
            {"pk": {"S": "p"}, "sk": {"S": "1"}, "n": {"N": "1.5"}},
            {"pk": {"S": "p"}, "sk": {"S": "2"}, "b": {"B": b"\x00\xff"}},
        ]
        received = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        assert sorted(m["Body"] for m in received["Messages"]) == ["first", "second"]
        by_body = {m["Body"]: m for m in received["Messages"]}
        assert by_body["first"]["MessageAttributes"] == {"kind": {"DataType": "String", "StringValue": "k"}}
        # The S3 notification configuration is the template's; restoring objects fired no event.
        assert cloud.wait_idle(30)
        assert cloud.invocations("Counter") == []
        s3.put_object(Bucket=bucket, Key="after.txt", Body=b"new")
        assert cloud.wait_idle(30) and len(cloud.invocations("Counter")) == 1
        # One line says what came back (counts include what other tests left in this process's moto).
        [restored] = [line for line in cloud.lines if "saved state: restored" in line]  # type: ignore[attr-defined]
        for kind in ("parameter", "secret", "queue", "topic", "table", "bucket"):
            assert f" {kind}" in restored
    finally:
        cloud.stop()


def _versions(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (e["Key"], e["VersionId"], e["IsLatest"], e["LastModified"], e.get("ETag"), e.get("Size"))
        for e in entries
    )


def _edit_template(project: Path, old: str, new: str) -> None:
    template = project / "template.yaml"
    text = template.read_text()
    assert old in text
    template.write_text(text.replace(old, new))


WORK_QUEUE = """  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
"""


def test_resources_the_template_no_longer_declares_are_kept_or_dropped_by_option(
    start: Start, project: Path
) -> None:
    cloud = start()
    queue_url, bucket = cloud.outputs["QueueUrl"], cloud.outputs["BucketName"]
    cloud.client("sqs").send_message(QueueUrl=queue_url, MessageBody="kept")
    cloud.client("s3").create_bucket(Bucket=f"{bucket}-mine")  # the user's own, never the template's
    cloud.client("s3").put_object(Bucket=f"{bucket}-mine", Key="k", Body=b"mine")
    cloud.stop()
    _edit_template(project, WORK_QUEUE, "")
    _edit_template(project, "  QueueUrl:\n    Value: !Ref Work\n", "")

    cloud = start()
    try:
        assert any(
            "saved state: kept queue Work" in line and "--removed-resources drop" in line
            for line in cloud.lines
        )  # type: ignore[attr-defined]
        messages = cloud.client("sqs").receive_message(QueueUrl=queue_url, VisibilityTimeout=0)["Messages"]
        assert [m["Body"] for m in messages] == ["kept"]
        assert cloud.client("s3").get_object(Bucket=f"{bucket}-mine", Key="k")["Body"].read() == b"mine"
    finally:
        cloud.stop()

    cloud = start(persist=PersistOptions(interval=60, removed_resources="drop"))
    try:
        assert any("saved state: dropped queue Work" in line for line in cloud.lines)  # type: ignore[attr-defined]
        with pytest.raises(ClientError, match="NonExistentQueue"):
            cloud.client("sqs").get_queue_url(QueueName=queue_url.rsplit("/", 1)[1])
    finally:
        cloud.stop()
    state = json.loads((project / ".samlite" / "state" / "manifest.json").read_text())
    sqs_file = project / ".samlite" / "state" / state["sections"]["sqs"]["file"]
    assert json.loads(sqs_file.read_text())["queues"] == []  # dropped means gone from the snapshot too


def test_a_table_whose_keys_changed_stops_the_start_naming_it_and_the_flag(
    start: Start, project: Path
) -> None:
    cloud = start()
    table = cloud.outputs["TableName"]
    cloud.client("dynamodb").put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "1"}})
    cloud.stop()
    _edit_template(
        project,
        "        - AttributeName: sk\n          AttributeType: S",
        "        - AttributeName: sk\n          AttributeType: N",
    )

    with pytest.raises(StateError) as refused:
        start()
    message = str(refused.value)
    assert "\n" not in message
    assert f"table {table!r} (Items)" in message and "sk RANGE (S)" in message and "sk RANGE (N)" in message
    assert "--reset-resource Items" in message

    cloud = start(persist=PersistOptions(interval=60, reset_resources=("Items",)))
    try:
        assert cloud.client("dynamodb").scan(TableName=table)["Items"] == []
        assert any("--reset-resource discarded table Items" in line for line in cloud.lines)  # type: ignore[attr-defined]
    finally:
        cloud.stop()


@pytest.mark.parametrize("damage", ["corrupt manifest", "other version", "section changed"])
def test_a_snapshot_that_cannot_be_read_stops_the_start_naming_the_file(
    start: Start, project: Path, damage: str
) -> None:
    cloud = start()
    cloud.client("s3").put_object(Bucket=cloud.outputs["BucketName"], Key="k", Body=b"v")
    cloud.stop()
    state = project / ".samlite" / "state"
    manifest = state / "manifest.json"
    if damage == "corrupt manifest":
        manifest.write_text(manifest.read_text()[:40])
        named = manifest
    elif damage == "other version":
        manifest.write_text(manifest.read_text().replace('"version": 1', '"version": 99'))
        named = manifest
    else:
        named = state / json.loads(manifest.read_text())["sections"]["s3"]["file"]
        named.write_text(named.read_text().replace('"k"', '"j"'))
    before = sorted(path.name for path in state.rglob("*"))

    with pytest.raises(StateError) as refused:
        start()
    message = str(refused.value)
    assert str(named) in message and "--reset-state" in message and "\n" not in message
    assert sorted(path.name for path in state.rglob("*")) == before  # never silently discarded

    cloud = start(persist=PersistOptions(interval=60, reset_state=True))
    try:
        assert cloud.client("s3").list_objects_v2(Bucket=cloud.outputs["BucketName"]).get("KeyCount") == 0
    finally:
        cloud.stop()


def test_a_restart_keeps_topics_subscriptions_secrets_and_parameters(start: Start) -> None:
    cloud = start()
    topic, secret, parameter = (cloud.outputs[k] for k in ("TopicArn", "SecretArn", "ParameterName"))
    sns, secrets, ssm = cloud.client("sns"), cloud.client("secretsmanager"), cloud.client("ssm")
    queue_arn = cloud.client("sqs").get_queue_attributes(
        QueueUrl=cloud.outputs["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    subscription = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": '{"kind": ["alert"]}'},
    )["SubscriptionArn"]
    sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "team", "Value": "ops"}])
    second = secrets.put_secret_value(SecretId=secret, SecretString="second")["VersionId"]
    ssm.put_parameter(Name=parameter, Value="loud", Overwrite=True)
    cloud.stop()

    cloud = start()
    try:
        sns, secrets, ssm = cloud.client("sns"), cloud.client("secretsmanager"), cloud.client("ssm")
        [kept] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert kept["SubscriptionArn"] == subscription and kept["Endpoint"] == queue_arn
        attributes = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
        assert attributes["RawMessageDelivery"] == "true"
        assert json.loads(attributes["FilterPolicy"]) == {"kind": ["alert"]}
        assert sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == [{"Key": "team", "Value": "ops"}]
        current = secrets.get_secret_value(SecretId=secret)
        assert (current["SecretString"], current["VersionId"]) == ("second", second)
        previous = secrets.get_secret_value(SecretId=secret, VersionStage="AWSPREVIOUS")
        assert previous["SecretString"] == "first"
        assert ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == "loud"
        history = ssm.get_parameter_history(Name=parameter)["Parameters"]
        assert [(p["Value"], p["Version"]) for p in history] == [("quiet", 1), ("loud", 2)]
    finally:
        cloud.stop()


def test_async_events_not_run_at_the_stop_are_delivered_by_the_next_start(start: Start) -> None:
    """Lambda keeps an accepted async event until it is processed ("Invoking a Lambda function
    asynchronously", Lambda developer guide): a restart delivers what the stop had not run."""
    cloud = start()
    name = cloud.outputs["SlowName"]
    lambda_client = cloud.client("lambda")
    for number in range(5):  # reserved concurrency 1: one runs (0.5 s), four wait
        payload = json.dumps({"n": number, "sleep": 0.5 if number == 0 else 0}).encode()
        assert (
            lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=payload)["StatusCode"]
            == 202
        )
    cloud.stop()
    ran_before = {record.event["n"] for record in cloud.invocations("Slow")}

    cloud = start()
    try:
        assert cloud.wait_idle(30)
        ran_after = {record.event["n"] for record in cloud.invocations("Slow")}
        assert ran_before | ran_after == {0, 1, 2, 3, 4} and not ran_before & ran_after
        assert ran_after, "the stop ran everything: nothing was left to keep"
        assert any("async event(s) queued again" in line for line in cloud.lines)  # type: ignore[attr-defined]
    finally:
        cloud.stop()
