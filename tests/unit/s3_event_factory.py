"""Builds S3 notification events in AWS's exact shape (Amazon S3 User Guide, "Event message structure").

Keys are URL-encoded the way S3 encodes them in notifications (form encoding: space as ``+``).
Shared by unit and service tests.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote_plus

EVENT_TIME = "2026-11-25T10:00:00.000Z"


def encode_key(key: str) -> str:
    """Encode a key as S3 does in event notifications."""
    return quote_plus(key, safe="/")


def s3_record(
    event_name: str,
    key: str,
    sequencer: str,
    *,
    bucket: str = "uploads",
    size: int | None = None,
    etag: str | None = None,
    version_id: str | None = None,
    event_time: str = EVENT_TIME,
    encoded: bool = False,
) -> dict[str, Any]:
    """One record; ``size``/``eTag`` only when given (delete records have neither)."""
    obj: dict[str, Any] = {"key": key if encoded else encode_key(key), "sequencer": sequencer}
    if size is not None:
        obj["size"] = size
    if etag is not None:
        obj["eTag"] = etag
    if version_id is not None:
        obj["versionId"] = version_id
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": event_time,
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "203.0.113.10"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjsk"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "catalog-uploads",
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }


def event(*records: dict[str, Any]) -> dict[str, Any]:
    """Wrap records in a notification event (deep-copied so tests may mutate them)."""
    return {"Records": [copy.deepcopy(r) for r in records]}


def test_event(bucket: str = "uploads") -> dict[str, Any]:
    """The message S3 sends when a notification configuration is created."""
    return {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2026-11-25T09:59:58.000Z",
        "Bucket": bucket,
        "RequestId": "5582815E1AEA5ADF",
        "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }


test_event.__test__ = False  # type: ignore[attr-defined]  # a factory, not a pytest test
