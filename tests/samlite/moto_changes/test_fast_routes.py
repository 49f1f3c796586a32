"""The fast route to moto's handlers (samlite.moto_changes.fast_routes) answers exactly as moto's generic
path through Flask does: every call is made twice on one running endpoint, once each way, and the raw
HTTP answers (status, headers, body) must be the same, request ids and dates aside. IAM on and off,
errors included (missing table and key, failed condition, denied caller, bad signature), and S3 keys
of awkward characters (routing by path is where the two could part).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.response import StreamingBody
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samlite.moto_changes import fast_routes
from tests.samlite.embedded import Endpoint, client, running_endpoint, unique

# Different on every answer whatever the path: request ids, the date, moto's per-response id.
_VARYING = {"date", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2"}
_REQUEST_ID = re.compile(rb"<(RequestId|HostId)>[^<]*</(RequestId|HostId)>")


class Recorder:
    """Raw HTTP answers seen by a boto3 client (botocore's after-call event has them, errors too)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes]] = []

    def __call__(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        headers = {name.lower(): value for name, value in http_response.headers.items()}
        varying = {name: value for name, value in headers.items() if name not in _VARYING}
        if model.has_streaming_output and isinstance(parsed.get("Body"), StreamingBody):
            body = parsed["Body"].read()  # read here, and handed on to the caller as it came
            parsed["Body"] = StreamingBody(io.BytesIO(body), len(body))
        else:
            body = http_response.content
        self.answers.append((http_response.status_code, varying, _REQUEST_ID.sub(b"", body)))


@pytest.fixture(scope="module", params=[True, False], ids=["iam", "no-iam"])
def endpoint(request: pytest.FixtureRequest) -> Iterator[Endpoint]:
    with running_endpoint(iam=request.param) as running:
        yield running


@pytest.fixture(scope="module")
def resources(endpoint: Endpoint) -> dict[str, str]:
    aws = endpoint.aws
    bucket, table = unique("fast"), unique("fast")
    client(aws, "s3").create_bucket(Bucket=bucket)
    client(aws, "s3").put_object(Bucket=bucket, Key="a.txt", Body=b"x" * 1024, Metadata={"my_key": "v"})
    dynamodb = client(aws, "dynamodb")
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(5):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": f"{n}"}, "v": {"N": str(n)}})
    return {"bucket": bucket, "table": table, "missing": unique("none")}


def _both_ways(
    monkeypatch: pytest.MonkeyPatch, service_client: Any, call: Callable[[Any], Any]
) -> tuple[list[Any], list[Any], int]:
    """The answers to `call` by the fast path, then by moto's generic path, and how many were fast."""
    served_fast = 0
    original = fast_routes.serve_fast

    def counting(*args: Any) -> Any:
        nonlocal served_fast
        answer = original(*args)
        served_fast += answer is not None
        return answer

    recorder = Recorder()
    service_client.meta.events.register("after-call.*.*", recorder)
    try:
        monkeypatch.setattr(fast_routes, "serve_fast", counting)
        _quietly(call, service_client)
        fast = list(recorder.answers)
        recorder.answers.clear()
        monkeypatch.setattr(fast_routes, "serve_fast", lambda *_: None)
        _quietly(call, service_client)
        generic = list(recorder.answers)
    finally:
        monkeypatch.setattr(fast_routes, "serve_fast", original)
        service_client.meta.events.unregister("after-call.*.*", recorder)
    return fast, generic, served_fast


def _quietly(call: Callable[[Any], Any], service_client: Any) -> None:
    with contextlib.suppress(service_client.exceptions.ClientError):  # the raw answer is compared
        call(service_client)


S3_CALLS: dict[str, Callable[[dict[str, str]], Callable[[Any], Any]]] = {
    "PutObject": lambda r: lambda s3: s3.put_object(Bucket=r["bucket"], Key="put.txt", Body=b"y" * 1024),
    "GetObject": lambda r: lambda s3: s3.get_object(Bucket=r["bucket"], Key="a.txt")["Body"].read(),
    "GetObject range": lambda r: lambda s3: s3.get_object(Bucket=r["bucket"], Key="a.txt", Range="bytes=0-9"),
    "HeadObject": lambda r: lambda s3: s3.head_object(Bucket=r["bucket"], Key="a.txt"),
    "ListObjectsV2": lambda r: lambda s3: s3.list_objects_v2(Bucket=r["bucket"], Prefix="a"),
    "GetObject no such key": lambda r: lambda s3: s3.get_object(Bucket=r["bucket"], Key="missing"),
    "HeadObject no such key": lambda r: lambda s3: s3.head_object(Bucket=r["bucket"], Key="missing"),
    "ListObjectsV2 no such bucket": lambda r: lambda s3: s3.list_objects_v2(Bucket=r["missing"]),
    "HeadBucket": lambda r: lambda s3: s3.head_bucket(Bucket=r["bucket"]),
    "ListBuckets": lambda r: lambda s3: s3.list_buckets(),
    "DeleteObject": lambda r: lambda s3: s3.delete_object(Bucket=r["bucket"], Key="never-there"),
    "CopyObject": lambda r: (
        lambda s3: s3.copy_object(
            Bucket=r["bucket"], Key="copy.txt", CopySource={"Bucket": r["bucket"], "Key": "a.txt"}
        )
    ),
}

DYNAMODB_CALLS: dict[str, Callable[[dict[str, str]], Callable[[Any], Any]]] = {
    "PutItem": lambda r: (
        lambda ddb: ddb.put_item(
            TableName=r["table"], Item={"pk": {"S": "q"}, "sk": {"S": "1"}, "v": {"S": "x" * 100}}
        )
    ),
    "GetItem": lambda r: (
        lambda ddb: ddb.get_item(TableName=r["table"], Key={"pk": {"S": "p"}, "sk": {"S": "1"}})
    ),
    "UpdateItem with a condition": lambda r: (
        lambda ddb: ddb.update_item(
            TableName=r["table"],
            Key={"pk": {"S": "p"}, "sk": {"S": "2"}},
            UpdateExpression="SET c = :c",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":c": {"N": "7"}},
            ReturnValues="ALL_NEW",
        )
    ),
    "UpdateItem condition fails": lambda r: (
        lambda ddb: ddb.update_item(
            TableName=r["table"],
            Key={"pk": {"S": "p"}, "sk": {"S": "nope"}},
            UpdateExpression="SET c = :c",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":c": {"N": "7"}},
        )
    ),
    "Query": lambda r: (
        lambda ddb: ddb.query(
            TableName=r["table"],
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            Limit=3,
        )
    ),
    "GetItem no such table": lambda r: (
        lambda ddb: ddb.get_item(TableName=unique("none"), Key={"pk": {"S": "p"}, "sk": {"S": "1"}})
    ),
    "GetItem bad key": lambda r: lambda ddb: ddb.get_item(TableName=r["table"], Key={"pk": {"S": "p"}}),
    "DescribeTable": lambda r: lambda ddb: ddb.describe_table(TableName=r["table"]),
}


@pytest.mark.parametrize("operation", sorted(S3_CALLS))
def test_s3_answers_are_moto_s(
    endpoint: Endpoint, resources: dict[str, str], monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    fast, generic, served_fast = _both_ways(
        monkeypatch, client(endpoint.aws, "s3"), S3_CALLS[operation](resources)
    )
    assert served_fast == len(fast) > 0, "the call did not take the fast path"
    assert fast == generic


@pytest.mark.parametrize("operation", sorted(DYNAMODB_CALLS))
def test_dynamodb_answers_are_moto_s(
    endpoint: Endpoint, resources: dict[str, str], monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    fast, generic, served_fast = _both_ways(
        monkeypatch, client(endpoint.aws, "dynamodb"), DYNAMODB_CALLS[operation](resources)
    )
    assert served_fast == len(fast) > 0, "the call did not take the fast path"
    assert fast == generic


@pytest.fixture(scope="module")
def nobody(endpoint: Endpoint) -> dict[str, str]:
    """An IAM user with no policy: every call it signs is denied when IAM is on."""
    iam = client(endpoint.aws, "iam")
    name = unique("nobody")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


@pytest.mark.parametrize("operation", ["GetObject", "PutObject", "GetItem", "Query"])
def test_denied_and_badly_signed_calls_are_answered_as_moto_does(
    endpoint: Endpoint,
    resources: dict[str, str],
    nobody: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
) -> None:
    service = "s3" if operation in S3_CALLS else "dynamodb"
    call = (S3_CALLS if service == "s3" else DYNAMODB_CALLS)[operation](resources)
    wrong_secret = {**endpoint.aws.admin_credentials.as_env(), "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    for credentials in (nobody, wrong_secret):
        fast, generic, served_fast = _both_ways(monkeypatch, client(endpoint.aws, service, credentials), call)
        assert served_fast == len(fast) > 0
        assert fast == generic
        if endpoint.aws.iam_enabled:
            assert fast[0][0] == 403


KEYS = (
    st.lists(st.sampled_from([*"ab/ .%+?#&=~_-", "é", "ü", "日", "%2F", "//"]), min_size=1, max_size=8)
    .map("".join)
    .filter(lambda key: not key.startswith("/"))
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=KEYS)
def test_s3_keys_are_routed_as_moto_routes_them(
    endpoint: Endpoint, resources: dict[str, str], monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    s3 = client(endpoint.aws, "s3")

    def round_trip(s3: Any) -> None:
        s3.put_object(Bucket=resources["bucket"], Key=key, Body=key.encode())
        s3.head_object(Bucket=resources["bucket"], Key=key)
        s3.get_object(Bucket=resources["bucket"], Key=key)["Body"].read()
        s3.list_objects_v2(Bucket=resources["bucket"], Prefix=key)

    fast, generic, served_fast = _both_ways(monkeypatch, s3, round_trip)
    assert served_fast == len(fast) == 4
    assert [_rewritten(answer) for answer in fast] == [_rewritten(answer) for answer in generic]


_LAST_MODIFIED = re.compile(rb"<LastModified>[^<]*</LastModified>")


def _rewritten(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, dict[str, str], bytes]:
    """Without the times of the writes (each way writes the object again)."""
    status, headers, body = answer
    return status, {k: v for k, v in headers.items() if k != "last-modified"}, _LAST_MODIFIED.sub(b"", body)


def test_cors_and_unsigned_requests_take_moto_s_generic_path(
    endpoint: Endpoint, resources: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A browser's request (Origin) gets flask-cors' answer from Flask itself; a presigned URL (no
    Authorization header) is routed by moto's own inference."""
    import urllib.request

    s3 = client(endpoint.aws, "s3")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": resources["bucket"], "Key": "a.txt"})
    seen: list[Any] = []
    original = fast_routes.serve_fast
    monkeypatch.setattr(fast_routes, "serve_fast", lambda *args: seen.append(original(*args)))
    with urllib.request.urlopen(
        urllib.request.Request(url, headers={"Origin": "http://localhost:3000"})
    ) as r:
        assert r.read() == b"x" * 1024
        assert r.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert seen == [None]


def test_the_change_names_what_it_relies_on() -> None:
    assert fast_routes.CHANGE.drifted() == []
    assert {target.path.rsplit(".", 1)[-1] for target in fast_routes.CHANGE.relies_on} >= {
        "infer_service_region_host",
        "get_backend_for_host",
    }
