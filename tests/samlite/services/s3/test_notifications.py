"""S3Notifier against moto's in-process backends (mock_aws): matching, targets, shape, robustness."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto.backends import get_backend

from samlite.iam.identities import MotoIdentities
from samlite.model.served_request import ServedRequest
from samlite.services.awslambda.recursion import ChainTracker
from samlite.services.s3.notifications import S3Notifier, event_matches, key_matches
from samlite.services.targets import MotoTargets
from tests.samlite.embedded import changed_moto, served_request

ACCOUNT = "123456789012"
REGION = "us-east-1"
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:thumbs"


def served(method: str, path: str, query: str = "", **fields: Any) -> ServedRequest:
    """An S3 request from 10.0.0.7 on the local endpoint."""
    fields = {"host": "127.0.0.1:4566", "source_ip": "10.0.0.7", **fields}
    return served_request("s3", method, path, query, **fields)


class Setup:
    def __init__(self) -> None:
        self.s3 = boto3.client("s3", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.delivered: list[tuple[str, dict, int]] = []
        self.logs: list[str] = []
        self.identities = MotoIdentities(ACCOUNT)
        self.chain = ChainTracker(self.identities.function_of)
        self.notifier = S3Notifier(
            s3_backend=lambda: get_backend("s3")[ACCOUNT]["aws"],
            region=REGION,
            deliver_to_function=lambda arn, body, depth: self.delivered.append(
                (arn, json.loads(body), depth)
            ),
            send_to_target=MotoTargets(account_id=ACCOUNT, log=self.logs.append),
            log=self.logs.append,
            identify=self.identities.identify,
            chain=self.chain,
        )

    def bucket(self, name: str, config: dict) -> None:
        self.s3.create_bucket(Bucket=name)
        self.s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=config)

    def put(
        self,
        bucket: str,
        key: str,
        body: bytes = b"data",
        *,
        access_key_id: str | None = None,
        headers: dict | None = None,
    ) -> None:
        """Do the PutObject in moto, then tell the notifier, as the endpoint would."""
        answer = self.s3.put_object(Bucket=bucket, Key=key, Body=body)
        response_headers = {"ETag": answer["ETag"]}
        if "VersionId" in answer:
            response_headers["x-amz-version-id"] = answer["VersionId"]
        from urllib.parse import quote

        self.notifier(
            served(
                "PUT",
                f"/{bucket}/{quote(key)}",
                access_key_id=access_key_id,
                response_headers=response_headers,
                headers=headers,
            )
        )


@pytest.fixture
def setup():
    with changed_moto():  # moto's own S3 notifications off, as the endpoint has them
        yield Setup()


def lambda_config(
    *events: str, prefix: str | None = None, suffix: str | None = None, config_id: str = "c1"
) -> dict:
    rules = []
    if prefix is not None:
        rules.append({"Name": "prefix", "Value": prefix})
    if suffix is not None:
        rules.append({"Name": "suffix", "Value": suffix})
    entry: dict = {"Id": config_id, "LambdaFunctionArn": FN_ARN, "Events": list(events)}
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}
    return entry


def test_record_shape_and_filters_on_the_decoded_key(setup: Setup) -> None:
    setup.bucket(
        "photos",
        {
            "LambdaFunctionConfigurations": [
                lambda_config("s3:ObjectCreated:*", prefix="raw dir/", suffix=".jpg"),
            ]
        },
    )
    setup.put("photos", "raw dir/a b.jpg", b"12345")
    setup.put("photos", "raw dir/a b.png")
    setup.put("photos", "other/a.jpg")
    [(arn, event, depth)] = setup.delivered
    assert arn == FN_ARN
    assert depth == 1
    [record] = event["Records"]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["configurationId"] == "c1"
    assert record["s3"]["object"]["key"] == "raw+dir/a+b.jpg"
    assert record["s3"]["object"]["size"] == 5
    assert record["s3"]["object"]["eTag"] == "827ccb0eea8a706c4c34a16891f84e7b"
    assert record["requestParameters"] == {"sourceIPAddress": "10.0.0.7"}
    assert record["userIdentity"] == {"principalId": "Anonymous"}
    assert len(record["responseElements"]["x-amz-request-id"]) == 16


def test_event_name_must_match_exactly_or_by_group_wildcard(setup: Setup) -> None:
    setup.bucket("b-put-only", {"LambdaFunctionConfigurations": [lambda_config("s3:ObjectCreated:Put")]})
    setup.put("b-put-only", "k")
    setup.notifier(served("DELETE", "/b-put-only/k", status=204))
    assert [e["Records"][0]["eventName"] for _, e, _ in setup.delivered] == ["ObjectCreated:Put"]
    assert event_matches(["s3:ObjectRemoved:*"], "s3:ObjectRemoved:DeleteMarkerCreated")
    assert not event_matches("s3:ObjectCreated:Post", "s3:ObjectCreated:Put")


def test_filter_rule_names_are_case_insensitive_and_single_rules_accepted() -> None:
    assert key_matches({"S3Key": {"FilterRule": {"Name": "Prefix", "Value": "in/"}}}, "in/x")
    assert not key_matches({"S3Key": {"FilterRule": [{"Name": "SUFFIX", "Value": ".jpg"}]}}, "in/x.png")
    assert key_matches(None, "anything")


def test_each_matching_configuration_gets_the_same_event_with_its_own_id(setup: Setup) -> None:
    queue_url = setup.sqs.create_queue(QueueName="audit")["QueueUrl"]
    setup.bucket(
        "multi",
        {
            "LambdaFunctionConfigurations": [lambda_config("s3:ObjectCreated:*", config_id="to-fn")],
            "QueueConfigurations": [
                {
                    "Id": "to-queue",
                    "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:audit",
                    "Events": ["s3:ObjectCreated:*"],
                }
            ],
        },
    )
    setup.sqs.purge_queue(QueueUrl=queue_url)  # S3's s3:TestEvent from saving the configuration
    setup.put("multi", "k")
    [(_, fn_event, _)] = setup.delivered
    [message] = setup.sqs.receive_message(QueueUrl=queue_url)["Messages"]
    queue_record = json.loads(message["Body"])["Records"][0]
    fn_record = fn_event["Records"][0]
    assert (fn_record["s3"]["configurationId"], queue_record["s3"]["configurationId"]) == (
        "to-fn",
        "to-queue",
    )
    assert fn_record["s3"]["object"]["sequencer"] == queue_record["s3"]["object"]["sequencer"]
    assert setup.logs == []


def test_versioned_bucket_records_carry_the_version_of_this_put(setup: Setup) -> None:
    setup.bucket("versions", {"LambdaFunctionConfigurations": [lambda_config("s3:ObjectCreated:*")]})
    setup.s3.put_bucket_versioning(Bucket="versions", VersioningConfiguration={"Status": "Enabled"})
    setup.put("versions", "k", b"one")
    setup.put("versions", "k", b"three")
    first, second = (e["Records"][0]["s3"]["object"] for _, e, _ in setup.delivered)
    versions = setup.s3.list_object_versions(Bucket="versions")["Versions"]
    assert {first["versionId"], second["versionId"]} == {v["VersionId"] for v in versions}
    assert (first["size"], second["size"]) == (3, 5)
    assert second["sequencer"] > first["sequencer"]


def test_requests_by_a_running_function_are_one_hop_deeper(setup: Setup) -> None:
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="thumbs-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    creds = boto3.client("sts", region_name=REGION).assume_role(RoleArn=role, RoleSessionName="thumbs")[
        "Credentials"
    ]
    setup.bucket("loop", {"LambdaFunctionConfigurations": [lambda_config("s3:ObjectCreated:*")]})
    with setup.chain.running("thumbs", 5):
        setup.put("loop", "k", access_key_id=creds["AccessKeyId"])
    setup.put("loop", "k2", access_key_id=creds["AccessKeyId"])  # the function is no longer running
    setup.put("loop", "k3", headers={"X-Amzn-Trace-Id": "Root=1-a-b;Parent=c;Sampled=0;Lineage=1:ab12cd34:9"})
    depths = [depth for _, _, depth in setup.delivered]
    assert depths == [6, 1, 10]
    principal = setup.delivered[0][1]["Records"][0]["userIdentity"]["principalId"]
    assert principal.startswith("AWS:AROA") and principal.endswith(":thumbs")


def test_eventbridge_configurations_are_reported_once(setup: Setup) -> None:
    setup.bucket(
        "eb-bucket",
        {
            "EventBridgeConfiguration": {},
            "LambdaFunctionConfigurations": [lambda_config("s3:ObjectCreated:*")],
        },
    )
    setup.put("eb-bucket", "a")
    setup.put("eb-bucket", "b")
    assert sum("EventBridge notifications are not delivered" in line for line in setup.logs) == 1
    assert len(setup.delivered) == 2


def test_buckets_without_configuration_and_other_services_are_ignored(setup: Setup) -> None:
    setup.s3.create_bucket(Bucket="plain")
    setup.put("plain", "k")
    setup.notifier(
        ServedRequest(
            service="sqs",
            method="POST",
            path="/",
            query="",
            headers={},
            body=b"",
            status=200,
            response_headers={},
            response_body=b"",
        )
    )
    setup.notifier(served("PUT", "/no-such-bucket/k"))
    assert setup.delivered == []
    assert setup.logs == []


def test_the_observer_never_raises_and_logs_what_it_could_not_send(setup: Setup) -> None:
    setup.notifier(served("POST", "/b", "delete="))  # empty, unreadable DeleteObjects response
    broken = S3Notifier(
        s3_backend=lambda: (_ for _ in ()).throw(RuntimeError("backend gone")),
        region=REGION,
        deliver_to_function=lambda *_: None,
        send_to_target=lambda *_: None,
        log=setup.logs.append,
    )
    broken(served("PUT", "/b/k"))
    assert "DeleteObjects on bucket 'b'" in setup.logs[0]
    assert "internal error RuntimeError: backend gone" in setup.logs[1]


def test_identities_name_iam_users_and_unknown_keys(setup: Setup) -> None:
    iam = boto3.client("iam", region_name=REGION)
    user = iam.create_user(UserName="alice")["User"]
    key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    assert setup.identities.identify(key).principal_id == f"AWS:{user['UserId']}"
    assert setup.identities.identify(key).session_name is None
    assert setup.identities.identify("AKIDUNKNOWN").principal_id == "AWS:AKIDUNKNOWN"
    assert setup.identities.identify(None).principal_id == "Anonymous"
