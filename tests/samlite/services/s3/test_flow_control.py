"""Flow control: writes from outside the functions wait while the functions' event queue is long.

On AWS, S3 events are delivered to as many concurrent executions as it takes ("Lambda scaling
behavior", Lambda Developer Guide); on one machine S3 and the functions share the CPU, so samlite holds
external writers back instead of letting the queue, and the delay of every event, grow without bound.
Held: object writes from outside any function. Never held: reads, and requests a running function makes.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.model import FunctionSpec, InvocationResult
from samlite.services.awslambda.recursion import trace_header
from samlite.services.event_delivery import EventDelivery
from samlite.services.wiring import attach
from tests.samlite.embedded import client, unique

FUNCTION = FunctionSpec(
    logical_id="Slow", function_name="stack-Slow-1", handler="h.h", runtime="python3.11", code_uri=Path(".")
)
LIMIT = 2
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/s3/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


class Gate:
    """A function that runs only when let through."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.ran = 0

    def __call__(self, spec: FunctionSpec, payload: bytes) -> InvocationResult:
        self.open.wait(30)
        self.ran += 1
        return InvocationResult(request_id="r", payload=b"null")


@pytest.fixture
def setup():
    aws = EmbeddedAws(port=0, iam=False)
    functions = attach(aws).functions
    gate = Gate()
    logs: list[str] = []
    delivery = EventDelivery(aws, functions, gate, log=logs.append, default_concurrency=1)
    delivery.flow_control.limit = LIMIT
    aws.add_s3_check(delivery.flow_control)
    aws.start()
    functions.register(FUNCTION)
    bucket = unique("flow")
    s3 = client(aws, "s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": functions.arn(FUNCTION.function_name), "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    try:
        yield aws, delivery, gate, bucket, logs
    finally:
        gate.open.set()
        delivery.close()
        aws.stop()


def _put(aws: EmbeddedAws, bucket: str, key: str, headers: dict[str, str] | None = None) -> int:
    response = requests.put(
        f"{aws.url}/{bucket}/{key}",
        data=b"x",
        headers={"Authorization": AUTHORIZATION, **(headers or {})},
        timeout=60,
    )
    return response.status_code


def test_an_external_write_waits_until_the_queue_is_under_the_limit(setup) -> None:
    aws, delivery, gate, bucket, logs = setup
    for index in range(LIMIT):
        assert _put(aws, bucket, f"k{index}") == 200  # the queue fills up to the limit
    done = threading.Event()
    threading.Thread(target=lambda: (_put(aws, bucket, "held"), done.set()), daemon=True).start()
    assert not done.wait(0.5), "the write went through while the queue was full"
    assert delivery.flow_control.held == 1
    gate.open.set()  # the function catches up: the queue drains, the held write goes on
    assert done.wait(30)
    assert delivery.wait_idle(30) and gate.ran == LIMIT + 1
    assert any("flow control" in line for line in logs)
    assert client(aws, "s3").head_object(Bucket=bucket, Key="held")["ContentLength"] == 1


def test_reads_and_a_running_functions_own_writes_are_never_held(setup) -> None:
    aws, delivery, _, bucket, _ = setup
    for index in range(LIMIT):
        assert _put(aws, bucket, f"k{index}") == 200
    # A request whose trace header says it comes from an invocation (Lineage 1) is the function's own.
    assert _put(aws, bucket, "from-function", {"X-Amzn-Trace-Id": trace_header(1)}) == 200
    assert requests.get(f"{aws.url}/{bucket}/k0", headers={"Authorization": AUTHORIZATION}, timeout=10).ok
    assert delivery.flow_control.held == 0 and delivery.invoker.backlog >= LIMIT


def test_writes_to_a_bucket_that_notifies_no_busy_function_are_not_held(setup) -> None:
    aws, delivery, _, bucket, _ = setup
    for index in range(LIMIT):
        assert _put(aws, bucket, f"k{index}") == 200
    quiet = unique("quiet")
    client(aws, "s3").create_bucket(Bucket=quiet)
    assert _put(aws, quiet, "not-held") == 200
    assert delivery.flow_control.held == 0


def test_a_write_signed_with_a_functions_credentials_is_never_held(setup) -> None:
    """An API function deleting an object for its caller must not wait for the catalog's queue."""
    aws, delivery, _, bucket, _ = setup
    for index in range(LIMIT):
        assert _put(aws, bucket, f"k{index}") == 200
    session = aws.backend("sts").assume_role(
        region_name=aws.region,
        role_session_name="stack-Api-1",  # Lambda names a function's role session after the function
        role_arn="arn:aws:iam::123456789012:role/api-role",
        policy="",
        duration=900,
        external_id="",
    )
    signed = AUTHORIZATION.replace("AKIAEXAMPLE", session.access_key_id)
    assert _put(aws, bucket, "by-a-function", {"Authorization": signed}) == 200
    assert delivery.flow_control.held == 0
