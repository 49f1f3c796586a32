"""What services plug into the endpoint: API calls samlite answers itself, and checks of S3 requests.

The endpoint knows no service. A service that answers some calls itself instead of moto (the Lambda
Invoke API, CloudFormation DescribeStacks) registers a `LocalApi`; one that must refuse some S3
requests before moto stores them (presigned POST policies) registers an `S3Check`. Both return an
`AwsError` to refuse; the endpoint writes it in the service's protocol (`aws_errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from samlite.model import AwsError
from samlite.wire.s3_request import S3Request


@dataclass(frozen=True)
class ApiResponse:
    """A whole HTTP response: status, headers, body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class LocalApi(Protocol):
    """Some calls of one AWS API, answered by samlite; `protocol` is how its errors are written."""

    protocol: str

    def match(self, environ: Mapping[str, Any], body: bytes) -> Any | None:
        """Anything but None when this API answers the request (handed back to `handle`)."""
        ...

    def handle(self, environ: Mapping[str, Any], body: bytes, match: Any) -> ApiResponse | AwsError: ...


class S3Check(Protocol):
    """Refuses an S3 request before moto serves it (an `AwsError`), or lets it through (None)."""

    def __call__(self, environ: Mapping[str, Any], request: S3Request) -> AwsError | None: ...
