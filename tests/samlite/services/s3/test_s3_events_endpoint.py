"""S3 events end to end over the real embedded endpoint: boto3 -> HTTP -> moto -> S3Notifier ->
AsyncInvoker -> a fake runtime that records the events it receives."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
import requests
from botocore.config import Config

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.model import FunctionSpec, InvocationResult
from samlite.moto_changes.s3_notifications_off import moto_s3_events_silenced
from samlite.services.awslambda.recursion import current_depth, trace_header
from samlite.services.event_delivery import EventDelivery
from samlite.services.wiring import attach

FUNCTION = FunctionSpec(
    logical_id="Catalog",
    function_name="stack-Catalog-1",
    handler="h.h",
    runtime="python3.11",
    code_uri=Path("."),
)


class Recorder:
    """A stand-in runtime: records each event; can be held to prove S3 answers before it runs."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.gate = threading.Event()
        self.gate.set()
        self.lock = threading.Lock()
        # Other functions' fake handlers, by function name.
        self.handlers: dict[str, Callable[[FunctionSpec, bytes], InvocationResult]] = {}

    def __call__(self, spec: FunctionSpec, payload: bytes) -> InvocationResult:
        if spec.function_name in self.handlers:
            return self.handlers[spec.function_name](spec, payload)
        self.gate.wait(10)
        with self.lock:
            self.events.append(json.loads(payload))
        return InvocationResult(request_id="r", payload=b"null")

    def records(self) -> list[dict]:
        with self.lock:
            return [record for event in self.events for record in event["Records"]]


@pytest.fixture(scope="module")
def stack():
    aws = EmbeddedAws(port=0, iam=False)
    functions = attach(aws).functions
    recorder = Recorder()
    logs: list[str] = []
    delivery = EventDelivery(aws, functions, recorder, log=logs.append)
    aws.start()
    functions.register(FUNCTION)
    try:
        yield aws, delivery, recorder, logs, functions
    finally:
        delivery.close()
        aws.stop()


@pytest.fixture
def s3(stack):
    aws = stack[0]
    creds = aws.admin_credentials
    return boto3.client(
        "s3",
        endpoint_url=aws.url,
        region_name=aws.region,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
    )


_bucket_count = iter(range(1000))


def _bucket_notifying(s3: Any, name: str, function_arn: str, events: list[str], **configuration: Any) -> str:
    """Creates the bucket with one notification configuration sending `events` to the function."""
    s3.create_bucket(Bucket=name)
    lambda_configuration = {**configuration, "LambdaFunctionArn": function_arn, "Events": events}
    s3.put_bucket_notification_configuration(
        Bucket=name, NotificationConfiguration={"LambdaFunctionConfigurations": [lambda_configuration]}
    )
    return name


@pytest.fixture
def bucket(stack, s3):
    _, delivery, recorder, _, functions = stack
    name = _bucket_notifying(
        s3,
        f"events-{next(_bucket_count)}",
        functions.arn(FUNCTION.function_name),
        ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
        Id="catalog",
        Filter={"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}},
    )
    assert delivery.wait_idle(10)
    recorder.events.clear()
    return name


def settle(stack) -> list[dict]:
    assert stack[1].wait_idle(10)
    return stack[2].records()


def test_put_gives_one_record_in_aws_shape(stack, s3, bucket) -> None:
    s3.put_object(Bucket=bucket, Key="in/red flower+1.jpg", Body=b"12345")
    s3.put_object(Bucket=bucket, Key="out/ignored.jpg", Body=b"x")  # filtered out by the prefix
    [record] = settle(stack)
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == stack[0].region
    assert record["s3"]["configurationId"] == "catalog"
    assert record["s3"]["bucket"]["name"] == bucket
    obj = record["s3"]["object"]
    assert obj["key"] == "in/red+flower%2B1.jpg"
    assert unquote_plus(obj["key"]) == "in/red flower+1.jpg"
    assert obj["size"] == 5
    assert obj["eTag"] == "827ccb0eea8a706c4c34a16891f84e7b"
    assert "versionId" not in obj
    assert set(record) >= {"userIdentity", "requestParameters", "responseElements", "eventTime"}
    assert record["requestParameters"]["sourceIPAddress"] == "127.0.0.1"


def test_sequencer_grows_for_every_event_of_a_key(stack, s3, bucket) -> None:
    for body in (b"1", b"22", b"333"):
        s3.put_object(Bucket=bucket, Key="in/k", Body=body)
    s3.delete_object(Bucket=bucket, Key="in/k")
    records = settle(stack)
    sequencers = [r["s3"]["object"]["sequencer"] for r in records]
    ordered = sorted(records, key=lambda r: r["s3"]["object"]["sequencer"])
    assert len(set(sequencers)) == 4
    assert [r["eventName"] for r in ordered][-1] == "ObjectRemoved:Delete"
    assert [r["s3"]["object"].get("size") for r in ordered][:3] == [1, 2, 3]


def test_copy_multipart_post_and_batch_delete(stack, s3, bucket) -> None:
    s3.put_object(Bucket=bucket, Key="src.txt", Body=b"source")  # outside the prefix: no event
    s3.copy_object(Bucket=bucket, Key="in/copy.txt", CopySource={"Bucket": bucket, "Key": "src.txt"})
    upload = s3.create_multipart_upload(Bucket=bucket, Key="in/big.bin")
    part = s3.upload_part(
        Bucket=bucket, Key="in/big.bin", UploadId=upload["UploadId"], PartNumber=1, Body=b"p" * 10
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="in/big.bin",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )
    post = s3.generate_presigned_post(bucket, "in/${filename}")
    response = requests.post(
        post["url"], data=post["fields"], files={"file": ("photo one.png", b"PNG!")}, timeout=10
    )
    assert response.status_code == 204
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "in/copy.txt"}, {"Key": "in/big.bin"}]})
    records = settle(stack)
    names = [(r["eventName"], unquote_plus(r["s3"]["object"]["key"])) for r in records]
    assert sorted(names) == sorted(
        [
            ("ObjectCreated:Copy", "in/copy.txt"),
            ("ObjectCreated:CompleteMultipartUpload", "in/big.bin"),  # exactly once
            ("ObjectCreated:Post", "in/photo one.png"),
            ("ObjectRemoved:Delete", "in/copy.txt"),
            ("ObjectRemoved:Delete", "in/big.bin"),
        ]
    )
    sizes = {r["eventName"]: r["s3"]["object"].get("size") for r in records}
    assert sizes["ObjectCreated:Copy"] == 6
    assert sizes["ObjectCreated:CompleteMultipartUpload"] == 10
    assert sizes["ObjectCreated:Post"] == 4


def test_versioned_bucket_reports_version_ids_and_delete_markers(stack, s3, bucket) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put = s3.put_object(Bucket=bucket, Key="in/v.txt", Body=b"v1")
    marker = s3.delete_object(Bucket=bucket, Key="in/v.txt")
    s3.delete_object(Bucket=bucket, Key="in/v.txt", VersionId=put["VersionId"])
    created, marked, removed = sorted(settle(stack), key=lambda r: r["s3"]["object"]["sequencer"])
    assert created["eventName"] == "ObjectCreated:Put"
    assert created["s3"]["object"]["versionId"] == put["VersionId"]
    assert marked["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert marked["s3"]["object"]["versionId"] == marker["VersionId"]
    assert removed["eventName"] == "ObjectRemoved:Delete"
    assert removed["s3"]["object"]["versionId"] == put["VersionId"]


def test_failed_requests_and_sub_resources_produce_nothing(stack, s3, bucket) -> None:
    s3.put_object(Bucket=bucket, Key="in/t.txt", Body=b"t")
    settle(stack)
    stack[2].events.clear()
    s3.put_object_tagging(Bucket=bucket, Key="in/t.txt", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.put_object_acl(Bucket=bucket, Key="in/t.txt", ACL="private")
    with pytest.raises(s3.exceptions.ClientError):
        s3.copy_object(Bucket=bucket, Key="in/c.txt", CopySource={"Bucket": bucket, "Key": "missing"})
    s3.create_multipart_upload(Bucket=bucket, Key="in/never")
    assert settle(stack) == []


def test_s3_answers_before_the_function_runs(stack, s3, bucket) -> None:
    recorder = stack[2]
    recorder.gate.clear()
    try:
        s3.put_object(Bucket=bucket, Key="in/slow.txt", Body=b"s")  # returns although the function waits
        assert not stack[1].wait_idle(0.1)
    finally:
        recorder.gate.set()
    assert len(settle(stack)) == 1


def test_virtual_host_style_requests_are_understood(stack, bucket) -> None:
    aws = stack[0]
    creds = aws.admin_credentials
    # The bucket travels in the Host header; connect to 127.0.0.1 whatever the name resolves to.
    client = boto3.client(
        "s3",
        endpoint_url=aws.url,
        region_name=aws.region,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        config=Config(s3={"addressing_style": "path"}),
    )

    def to_virtual_host(request, **_kwargs) -> None:
        request.headers["Host"] = f"{bucket}.s3.localhost:{aws.port}"
        request.url = request.url.replace(f"/{bucket}/", "/", 1)

    client.meta.events.register_first("before-sign.s3.PutObject", to_virtual_host)
    client.put_object(Bucket=bucket, Key="in/vh.txt", Body=b"vh")
    [record] = settle(stack)
    assert record["s3"]["object"]["key"] == "in/vh.txt"


def test_moto_own_notifications_are_silenced_while_the_endpoint_runs(stack, s3, bucket) -> None:
    s3.put_object(Bucket=bucket, Key="in/touch.txt", Body=b"x")
    assert len(settle(stack)) == 1  # samlite's event only: moto's own would be a second
    assert moto_s3_events_silenced()


def test_failing_function_event_lands_in_its_dead_letter_queue(stack, s3) -> None:
    aws, delivery, recorder, logs, functions = stack
    creds = aws.admin_credentials
    sqs = boto3.client(
        "sqs",
        endpoint_url=aws.url,
        region_name=aws.region,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
    )
    queue_url = sqs.create_queue(QueueName="failing-dlq")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    failing = FunctionSpec(
        logical_id="Failing",
        function_name="stack-Failing-1",
        handler="h.h",
        runtime="python3.11",
        code_uri=Path("."),
        dead_letter_target_arn=queue_arn,
    )
    functions.register(failing)
    attempts: list[bytes] = []

    def invoke(spec: FunctionSpec, payload: bytes) -> InvocationResult:
        attempts.append(payload)
        body = {"errorMessage": "AccessDenied on GetObject", "errorType": "ClientError"}
        return InvocationResult(request_id="r", payload=json.dumps(body).encode(), error_type="ClientError")

    recorder.handlers[failing.function_name] = invoke
    try:
        _bucket_notifying(s3, "failing-bucket", functions.arn(failing.function_name), ["s3:ObjectCreated:*"])
        s3.put_object(Bucket="failing-bucket", Key="doc.txt", Body=b"d")
        assert delivery.wait_idle(10)
    finally:
        del recorder.handlers[failing.function_name]
    assert len(attempts) == 3
    [message] = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"]) == json.loads(attempts[0])
    assert message["MessageAttributes"]["ErrorMessage"]["StringValue"] == "AccessDenied on GetObject"
    assert message["MessageAttributes"]["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert any("RetriesExhausted, 3 attempt(s)" in line and queue_arn in line for line in logs)


def test_a_function_writing_to_its_own_trigger_is_stopped_after_16_invocations(stack, s3) -> None:
    """The fake runtime writes back to the bucket that triggered it, sending the trace header a worker's
    boto3 would send (botocore forwards _X_AMZN_TRACE_ID), so the loop is traced over HTTP."""
    aws, delivery, recorder, logs, functions = stack
    looping = FunctionSpec(
        logical_id="Looping",
        function_name="stack-Looping-1",
        handler="h.h",
        runtime="python3.11",
        code_uri=Path("."),
    )
    functions.register(looping)
    depths: list[int] = []

    def invoke(spec: FunctionSpec, payload: bytes) -> InvocationResult:
        depths.append(current_depth())
        client = boto3.client(
            "s3",
            endpoint_url=aws.url,
            region_name=aws.region,
            aws_access_key_id="x",
            aws_secret_access_key="y",
        )
        header = trace_header(current_depth())
        client.meta.events.register(
            "before-sign.s3.PutObject",
            lambda request, **_: request.headers.__setitem__("X-Amzn-Trace-Id", header),
        )
        client.put_object(Bucket="loop-bucket", Key=f"k{len(depths)}", Body=b"again")
        return InvocationResult(request_id="r", payload=b"null")

    recorder.handlers[looping.function_name] = invoke
    try:
        _bucket_notifying(s3, "loop-bucket", functions.arn(looping.function_name), ["s3:ObjectCreated:*"])
        s3.put_object(Bucket="loop-bucket", Key="start", Body=b"go")
        assert delivery.wait_idle(30)
    finally:
        del recorder.handlers[looping.function_name]
    assert depths == list(range(1, 17))
    [stopped] = [line for line in logs if "recursive loop detected" in line]
    assert "Looping" in stopped and "hop 17" in stopped
