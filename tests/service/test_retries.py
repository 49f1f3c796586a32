"""Throttling and 5xx answers are retried by botocore's standard retry mode, then raised.

No moto here: a ``before-send`` hook answers every request itself (AWS's error shapes first, then a
success), so the count of attempts is exactly what botocore sent.
"""

from __future__ import annotations

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from upload_catalog.controllers.sequencer import normalize_sequencer
from upload_catalog.models import Tombstone
from upload_catalog.services.catalog_table import DynamoCatalogStore
from upload_catalog.services.clients import create_clients
from upload_catalog.services.s3_objects import S3ObjectStore


class Flaky:
    """A ``before-send`` hook answering the first ``failures`` requests with an AWS error, then ``ok``."""

    def __init__(
        self,
        failures: int,
        status: int,
        body: bytes,
        headers: dict[str, str],
        ok: tuple[int, bytes, dict[str, str]],
    ) -> None:
        self.failures = failures
        self.error = (status, body, headers)
        self.ok = ok
        self.calls = 0

    def __call__(self, request, **_) -> AWSResponse:
        self.calls += 1
        status, body, headers = self.error if self.calls <= self.failures else self.ok

        class Raw:
            def __init__(self, body: bytes) -> None:
                self.body = body

            def stream(self, **_):
                yield self.body

        return AWSResponse(request.url, status, headers, Raw(body))


THROTTLED = (
    400,
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}',
    {"Content-Type": "application/x-amz-json-1.0"},
)
S3_SLOWDOWN = (503, b"<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>", {})
PUT_OK = (200, b"{}", {"Content-Type": "application/x-amz-json-1.0"})
HEAD_OK = (
    200,
    b"",
    {"Content-Length": "3", "ETag": '"900150983cd24fb0d6963f7d28e17f72"', "Content-Type": "text/plain"},
)


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", slept.append)
    return slept


def tombstone() -> Tombstone:
    return Tombstone("b", "k", normalize_sequencer("0A"), "2026-11-25T10:00:00Z", 1)


def test_standard_mode_is_configured(aws_env) -> None:
    # botocore: total_max_attempts counts the first attempt (max_attempts would count retries only).
    clients = create_clients()
    for client in (clients.s3, clients.dynamodb):
        assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 4}


def test_throttled_write_is_retried_then_succeeds(aws_env, no_backoff_sleep) -> None:
    clients = create_clients()
    flaky = Flaky(2, *THROTTLED, ok=PUT_OK)
    clients.dynamodb.meta.events.register_first("before-send.dynamodb.PutItem", flaky)
    assert DynamoCatalogStore(clients.dynamodb, "catalog").put_if_newer(tombstone())
    assert flaky.calls == 3 and len(no_backoff_sleep) == 2


def test_persistent_throttling_raises_after_the_retries(aws_env) -> None:
    clients = create_clients()
    flaky = Flaky(100, *THROTTLED, ok=PUT_OK)
    clients.dynamodb.meta.events.register_first("before-send.dynamodb.PutItem", flaky)
    with pytest.raises(ClientError, match="ThrottlingException"):
        DynamoCatalogStore(clients.dynamodb, "catalog").put_if_newer(tombstone())
    assert flaky.calls == 4


def test_s3_slow_down_is_retried(aws_env) -> None:
    clients = create_clients()
    flaky = Flaky(1, *S3_SLOWDOWN, ok=HEAD_OK)
    clients.s3.meta.events.register_first("before-send.s3.HeadObject", flaky)
    head = S3ObjectStore(clients.s3).head("uploads", "k")
    assert head is not None and head.size == 3 and flaky.calls == 2
