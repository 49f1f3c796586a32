"""A POST form is checked, stored and announced under one and the same reading of it.

Each form below once got through: authorised and announced for one key while moto stored another,
or stored without its policy being checked. Now the presigned check, the policy check, moto and the
S3 event all work from one reading (`samlite.wire.s3_request`), and a form that cannot be read one
way only is refused with S3's error. Rules from the S3 API reference, "POST Object" (fields after the
file are ignored; `key` is required before it) and "Browser-based uploads using POST"; where S3's
documentation is silent (a field twice, two boundary parameters), samlite refuses.
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from samlite.model import FunctionSpec, InvocationResult
from samlite.services.event_delivery import EventDelivery
from tests.samlite.embedded import Endpoint, client, running_endpoint, unique

FUNCTION = FunctionSpec(
    logical_id="Catalog",
    function_name=unique("catalog"),
    handler="h.h",
    runtime="python3.11",
    code_uri=Path("."),
)


class Announced:
    """A stand-in function: the keys of the S3 events it was sent."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, spec: FunctionSpec, payload: bytes) -> InvocationResult:
        with self._lock:
            self.keys += [record["s3"]["object"]["key"] for record in json.loads(payload)["Records"]]
        return InvocationResult(request_id="r", payload=b"null")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with running_endpoint(iam=True) as running:
        running.services.functions.register(FUNCTION)
        yield running


@pytest.fixture(scope="module")
def delivery(endpoint: Endpoint) -> Iterator[tuple[EventDelivery, Announced]]:
    announced = Announced()
    delivery = EventDelivery(endpoint.aws, endpoint.services.functions, announced, log=lambda _line: None)
    try:
        yield delivery, announced
    finally:
        delivery.close()


@pytest.fixture
def bucket(endpoint: Endpoint, delivery: tuple[EventDelivery, Announced]) -> str:
    s3 = client(endpoint.aws, "s3")
    name = unique("forms")
    s3.create_bucket(Bucket=name)
    arn = endpoint.services.functions.arn(FUNCTION.function_name)
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    s3.put_object(Bucket=name, Key="victim.txt", Body=b"the victim's own bytes")
    assert delivery[0].wait_idle(10)
    delivery[1].keys.clear()
    return name


def _legit_form(endpoint: Endpoint, bucket: str, **conditions: Any) -> dict[str, Any]:
    """A form allowing exactly `uploads/mine.txt`, text/plain, at most 6 bytes (as upload-catalog issues)."""
    return client(endpoint.aws, "s3").generate_presigned_post(
        bucket,
        "uploads/mine.txt",
        Fields={"Content-Type": "text/plain"},
        Conditions=[
            {"Content-Type": "text/plain"},
            ["content-length-range", 1, 6],
            *conditions.get("extra", []),
        ],
        ExpiresIn=conditions.get("expires_in", 600),
    )


def _body(
    fields: list[tuple[str, str]], content: bytes, *, after: list[tuple[str, str]] = (), preamble: bytes = b""
) -> bytes:  # type: ignore[assignment]
    def part(name: str, value: bytes, filename: str | None = None) -> bytes:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        return f"--B0undary\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"

    chunks = [preamble, *(part(name, value.encode()) for name, value in fields)]
    chunks.append(part("file", content, "mine.txt"))
    chunks += [part(name, value.encode()) for name, value in after]
    chunks.append(b"--B0undary--\r\n")
    return b"".join(chunks)


def _post(
    post: dict[str, Any], body: bytes, content_type: str = "multipart/form-data; boundary=B0undary"
) -> requests.Response:
    return requests.post(post["url"], data=body, headers={"Content-Type": content_type}, timeout=10)


def _code(response: requests.Response) -> str:
    return ET.fromstring(response.content).findtext("Code") or ""


def _keys(endpoint: Endpoint, bucket: str) -> dict[str, bytes]:
    s3 = client(endpoint.aws, "s3")
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def _announced(delivery: tuple[EventDelivery, Announced]) -> list[str]:
    assert delivery[0].wait_idle(10)
    return list(delivery[1].keys)


def test_a_legitimate_form_is_stored_and_announced_under_its_key(endpoint, delivery, bucket) -> None:
    post = _legit_form(endpoint, bucket)
    response = _post(post, _body(list(post["fields"].items()), b"hello\n"))
    assert response.status_code == 204
    assert _keys(endpoint, bucket)["uploads/mine.txt"] == b"hello\n"
    assert _announced(delivery) == ["uploads/mine.txt"]


def test_a_second_key_in_other_capitalisation_is_refused(endpoint, delivery, bucket) -> None:
    post = _legit_form(endpoint, bucket)
    fields = [*post["fields"].items(), ("KEY", "victim.txt")]
    response = _post(post, _body(fields, b"pwned!"))
    assert (response.status_code, _code(response)) == (400, "InvalidArgument")
    assert _keys(endpoint, bucket) == {"victim.txt": b"the victim's own bytes"}
    assert _announced(delivery) == []


def test_a_second_key_after_the_file_is_ignored_everywhere(endpoint, delivery, bucket) -> None:
    post = _legit_form(endpoint, bucket)
    body = _body(list(post["fields"].items()), b"hello\n", after=[("key", "outside/evil.html")])
    response = _post(post, body)
    assert response.status_code == 204
    assert sorted(_keys(endpoint, bucket)) == ["uploads/mine.txt", "victim.txt"]
    assert _announced(delivery) == ["uploads/mine.txt"]


def test_fields_after_the_file_change_nothing_stored(endpoint, delivery, bucket) -> None:
    post = _legit_form(endpoint, bucket)
    body = _body(list(post["fields"].items()), b"hello\n", after=[("Content-Type", "text/html")])
    assert _post(post, body).status_code == 204
    head = client(endpoint.aws, "s3").head_object(Bucket=bucket, Key="uploads/mine.txt")
    assert head["ContentType"] == "text/plain"


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=Other; boundary=B0undary",
        "multipart/form-data; boundary=B0undary; boundary=Other",
    ],
)
def test_a_second_boundary_parameter_is_refused(endpoint, delivery, bucket, content_type) -> None:
    post = _legit_form(endpoint, bucket)
    body = _body(list(post["fields"].items()), b"x" * 18000)
    response = _post(post, body, content_type)
    assert (response.status_code, _code(response)) == (400, "MalformedPOSTRequest")
    assert sorted(_keys(endpoint, bucket)) == ["victim.txt"]
    assert _announced(delivery) == []


def test_a_preamble_does_not_hide_an_expired_policy(endpoint, delivery, bucket) -> None:
    post = _legit_form(endpoint, bucket, expires_in=-60)
    body = _body(list(post["fields"].items()), b"x" * 5000, preamble=b"This is a preamble.\r\n")
    response = _post(post, body)
    assert (response.status_code, _code(response)) == (403, "AccessDenied")
    assert sorted(_keys(endpoint, bucket)) == ["victim.txt"]
    assert _announced(delivery) == []


def test_the_policy_is_checked_on_the_stored_size(endpoint, delivery, bucket) -> None:
    post = _legit_form(endpoint, bucket)
    response = _post(post, _body(list(post["fields"].items()), b"x" * 5000, preamble=b"preamble\r\n"))
    assert (response.status_code, _code(response)) == (400, "EntityTooLarge")
    with pytest.raises(ClientError):
        client(endpoint.aws, "s3").head_object(Bucket=bucket, Key="uploads/mine.txt")
