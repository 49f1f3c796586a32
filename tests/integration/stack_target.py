"""The stack under test, whichever the target (samlite or a deployed stack): outputs, clients, waiting.

Waiting for the catalog is polling the table until it converges, with a deadline; on samlite,
`settle` (the local cloud's `wait_idle`) first waits for the queued S3 events to be processed, so
polling is rarely needed there.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Deadline for the catalog to converge: S3 event delivery on AWS is usually sub-second but can take
# longer; retries of a failed invocation come minutes later there, and no test here relies on them.
AWS_CONVERGE_S = 60.0
LOCAL_CONVERGE_S = 30.0
POLL_INTERVAL_S = 0.2


def target_is_aws() -> bool:
    """AWS when STACK_NAME names a deployed stack and SAMLITE does not force the local target."""
    return bool(os.environ.get("STACK_NAME")) and not os.environ.get("SAMLITE")


@dataclass
class Stack:
    """The stack under test, whichever the target: outputs, clients and a way to wait for the catalog."""

    target: str  # "samlite" or "aws"
    outputs: Mapping[str, str]
    client: Callable[[str], Any]
    settle: Callable[[float], bool] = field(default=lambda timeout: True)
    converge_timeout: float = AWS_CONVERGE_S
    local: Any = None  # the LocalCloud on samlite, else None

    @property
    def bucket(self) -> str:
        return self.outputs["UploadsBucketName"]

    @property
    def table(self) -> str:
        return self.outputs["CatalogTableName"]

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    def catalog_item(self, key: str) -> dict[str, Any] | None:
        """The catalog entry of `key` in plain Python values (strongly consistent read), or None."""
        response = self.dynamodb.get_item(
            TableName=self.table,
            Key={"bucket": {"S": self.bucket}, "key": {"S": key}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return None if item is None else {name: plain(value) for name, value in item.items()}

    def wait_for(
        self, key: str, predicate: Callable[[dict[str, Any]], bool], what: str
    ) -> dict[str, Any]:
        """Poll the catalog until `key`'s entry satisfies `predicate`; fail with the last entry seen."""
        deadline = time.monotonic() + self.converge_timeout
        self.settle(self.converge_timeout)
        while True:
            item = self.catalog_item(key)
            if item is not None and predicate(item):
                return item
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"catalog entry of {key!r} never became {what} within {self.converge_timeout:g} s; "
                    f"last seen: {item!r}"
                )
            time.sleep(POLL_INTERVAL_S)
            self.settle(POLL_INTERVAL_S)

    def wait_live(self, key: str, etag: str | None = None) -> dict[str, Any]:
        """The live entry of `key` (with that ETag, when given)."""

        def live(item: dict[str, Any]) -> bool:
            return not item.get("deleted") and (etag is None or item.get("etag") == etag.strip('"'))

        return self.wait_for(key, live, f"live (etag {etag})" if etag else "live")

    def wait_tombstone(self, key: str) -> dict[str, Any]:
        """The tombstone of `key`."""
        return self.wait_for(key, lambda item: bool(item.get("deleted")), "a tombstone")


def plain(value: Mapping[str, Any]) -> Any:
    """A DynamoDB attribute value (low-level shape) as a Python value; numbers become int."""
    (kind, raw), = value.items()
    if kind == "N":
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    return raw


def aws_stack(stack_name: str) -> Stack:
    """The deployed stack: outputs from CloudFormation DescribeStacks, default clients."""
    import boto3

    description = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {item["OutputKey"]: item["OutputValue"] for item in description.get("Outputs", [])}
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = boto3.client(service)
        return clients[service]

    return Stack(target="aws", outputs=outputs, client=client, converge_timeout=AWS_CONVERGE_S)
