"""boto3 clients of the function, created once per execution environment (at cold start).

Retries: botocore's *standard* mode retries throttling (``ThrottlingException``,
``ProvisionedThroughputExceededException``, ``SlowDown``...), transient 5xx and connection errors with
exponential backoff and jitter, then raises; the invocation then fails and Lambda's async retries and
dead-letter queue take over (botocore docs, "Retries"). Timeouts are bounded so that a hung connection
is retried well within the function's own timeout. ``AWS_ENDPOINT_URL`` is honoured by boto3 itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

RETRY_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 4},  # the first attempt and 3 retries
    connect_timeout=3,
    read_timeout=10,
)


@dataclass(frozen=True)
class AwsClients:
    """The low-level clients the services use."""

    s3: Any
    dynamodb: Any


def create_clients(session: boto3.session.Session | None = None) -> AwsClients:
    """Create the S3 and DynamoDB clients with the retry configuration above."""
    session = session or boto3.session.Session()
    return AwsClients(
        s3=session.client("s3", config=RETRY_CONFIG),
        dynamodb=session.client("dynamodb", config=RETRY_CONFIG),
    )


#: Presigned URLs and POST policies signed with Signature Version 4, the only one every region accepts.
PRESIGN_CONFIG = RETRY_CONFIG.merge(Config(signature_version="s3v4"))


def create_api_clients(session: boto3.session.Session | None = None) -> AwsClients:
    """The API function's clients: as ``create_clients``, with SigV4 presigning for S3."""
    session = session or boto3.session.Session()
    return AwsClients(
        s3=session.client("s3", config=PRESIGN_CONFIG),
        dynamodb=session.client("dynamodb", config=RETRY_CONFIG),
    )


def create_reconcile_clients(
    *, with_lambda: bool, session: boto3.session.Session | None = None
) -> tuple[AwsClients, Any]:
    """The reconcile function's clients: S3 and DynamoDB, and Lambda (to continue a run) when asked for;
    each client costs its service model's load at cold start."""
    session = session or boto3.session.Session()
    lambda_client = session.client("lambda", config=RETRY_CONFIG) if with_lambda else None
    return create_clients(session), lambda_client


def create_dynamodb_client(session: boto3.session.Session | None = None) -> Any:
    """The statistics function's only client."""
    return (session or boto3.session.Session()).client("dynamodb", config=RETRY_CONFIG)
