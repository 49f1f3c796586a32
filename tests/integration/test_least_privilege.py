"""Least privilege holds locally: without its S3 read permission the catalog function fails as on AWS.

A copy of template.yaml whose CatalogFunction policy lacks the `ReadUploadedObjects` statement
(s3:GetObject / s3:GetObjectVersion) runs on a second local stack. An upload then makes the function's
HEAD fail with 403, Lambda retries the event twice and finally writes it to the dead-letter queue with
the message attributes AWS documents (Lambda developer guide, "Dead-letter queues": RequestID,
ErrorCode, ErrorMessage).

The denial test is local only: it needs to deploy a deliberately broken copy of the stack, which a
test run against a deployed stack must not do. Its control (the same upload, real template) runs on
both targets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.stack_target import target_is_aws

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_ID = "CatalogFunction"
REMOVED_SID = "ReadUploadedObjects"

local_only = pytest.mark.skipif(
    target_is_aws(),
    reason="local only: deploys a copy of the stack without the function's S3 read permission",
)


def template_without_read_permission(directory: Path) -> Path:
    """template.yaml, minus the ReadUploadedObjects statement, with CodeUri pointing at the real app/."""
    from samlite.template.yaml_loader import load_template_file

    template: dict[str, Any] = load_template_file(ROOT / "template.yaml")
    properties = template["Resources"][FUNCTION_ID]["Properties"]
    policy = properties["Policies"][0]
    statements = policy["Statement"]
    kept = [statement for statement in statements if statement.get("Sid") != REMOVED_SID]
    assert len(kept) == len(statements) - 1, f"template.yaml has no {REMOVED_SID} statement to remove"
    policy["Statement"] = kept
    for resource in template["Resources"].values():  # every function's code: the real app/
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = str(ROOT / "app")
    path = directory / "template.json"  # samlite reads JSON templates too: no YAML tags to write back
    path.write_text(json.dumps(template, indent=2))
    return path


@pytest.fixture(scope="module")
def restricted_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from samlite.cloud.local_cloud import CloudOptions, LocalCloud

    directory = tmp_path_factory.mktemp("least-privilege")
    options = CloudOptions(
        template=template_without_read_permission(directory),
        port=0,
        api_port=0,
        watch=False,
        iam=True,
        stack_name="leastprivilege",  # its own bucket, table and queue next to the session's stack
        state_dir=directory / ".samlite",
    )
    with LocalCloud(options) as cloud:
        yield cloud


@local_only
def test_missing_read_permission_fails_and_dead_letters_the_event(restricted_cloud: Any) -> None:
    cloud = restricted_cloud
    outputs = cloud.outputs
    bucket, table = outputs["UploadsBucketName"], outputs["CatalogTableName"]
    key = "denied/photo 1.txt"
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=b"cannot be read", ContentType="text/plain")
    assert cloud.wait_idle(60), "the event's attempts and its dead-letter write did not finish"

    # Lambda's async invocation: the first attempt and MaximumRetryAttempts (2) retries, all failed.
    attempts = cloud.invocations(FUNCTION_ID)
    assert len(attempts) == 3
    assert all(attempt.result.error_type for attempt in attempts)

    # The function's own log names the denial. HEAD has no response body, so S3's AccessDenied reaches
    # boto3 as a bare 403 Forbidden (S3 API Reference, HeadObject: "403 Forbidden" without the
    # s3:GetObject permission); the app's S3 service turns that into an AccessDenied line.
    failures = [line for line in cloud.log_lines(FUNCTION_ID) if '"outcome": "failed"' in line]
    assert len(failures) == 3
    assert all("AccessDenied" in line and "HeadObject" in line and "403" in line for line in failures)

    # Nothing reached the catalog.
    item = cloud.client("dynamodb").get_item(
        TableName=table, Key={"bucket": {"S": bucket}, "key": {"S": key}}, ConsistentRead=True
    )
    assert "Item" not in item

    # The event itself is in the dead-letter queue, with Lambda's three message attributes.
    messages = cloud.client("sqs").receive_message(
        QueueUrl=outputs["DeadLetterQueueUrl"],
        MessageAttributeNames=["All"],
        MaxNumberOfMessages=10,
        WaitTimeSeconds=1,
    )["Messages"]
    assert len(messages) == 1
    message = messages[0]
    event = json.loads(message["Body"])
    record = event["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["object"]["key"] == "denied/photo+1.txt"  # URL-encoded, as S3 sends it
    attributes = message["MessageAttributes"]
    assert attributes["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert attributes["RequestID"]["DataType"] == "String" and attributes["RequestID"]["StringValue"]
    assert attributes["ErrorMessage"]["DataType"] == "String"
    assert "403" in attributes["ErrorMessage"]["StringValue"]


def test_the_unmodified_policy_allows_the_same_upload(stack: Any, prefix: str) -> None:
    """The control: the same upload on the real template is catalogued (so the denial above comes
    from the removed statement, not from something else about the object)."""
    key = f"{prefix}photo 1.txt"
    response = stack.s3.put_object(
        Bucket=stack.bucket, Key=key, Body=b"can be read", ContentType="text/plain"
    )
    assert stack.wait_live(key, response["ETag"])["content_type"] == "text/plain"
