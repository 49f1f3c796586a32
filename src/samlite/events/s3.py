"""S3 event notifications in AWS's exact current shape (event structure version 2.1).

Used by `samlite generate-event s3` and by the local cloud when it delivers real S3 notifications
(moto's own events lack sequencer, versionId, userIdentity, requestParameters and responseElements).
Shape: Amazon S3 User Guide, "Event message structure"
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
Deletes carry no size or eTag; versionId appears only for versioned buckets.

Key encoding: S3 form-encodes the key ("red flower.jpg" -> "red+flower.jpg", "+" -> "%2B", "=" ->
"%3D") but leaves "/" as is (observed behaviour: minio/minio#11665, aws/aws-sdk-net#640), so
`urllib.parse.unquote_plus` gives the key back.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from samlite.events._ids import iso_millis, s3_host_id, s3_request_id, s3_sequencer, utc_now

# generate-event kind -> eventName (without the "s3:" prefix, as it appears in the record).
S3_EVENT_NAMES: dict[str, str] = {
    "put": "ObjectCreated:Put",
    "post": "ObjectCreated:Post",
    "copy": "ObjectCreated:Copy",
    "complete-multipart-upload": "ObjectCreated:CompleteMultipartUpload",
    "delete": "ObjectRemoved:Delete",
    "delete-marker": "ObjectRemoved:DeleteMarkerCreated",
}
DEFAULT_PRINCIPAL = "AWS:AIDAJDPLRKLG7UEXAMPLE"
DEFAULT_OWNER = "A3NL1KOZZKEXAMPLE"


def encode_s3_key(key: str) -> str:
    """The object key as S3 writes it in an event: form-encoded, "/" kept."""
    return quote_plus(key, safe="/")


def default_configuration_id(bucket: str) -> str:
    """S3 names an unnamed notification configuration with a base64 id; derive a stable one."""
    digest = hashlib.sha256(f"notification:{bucket}".encode()).hexdigest()
    return base64.b64encode(digest[:36].encode()).decode("ascii").rstrip("=")


@dataclass
class S3EventRecord:
    """One record of an S3 notification; `to_dict()` gives the JSON-ready record."""

    event_name: str  # e.g. "ObjectCreated:Put" (an "s3:" prefix is accepted and dropped)
    bucket: str
    key: str  # the real key; encoded in to_dict()
    size: int | None = None
    etag: str | None = None
    version_id: str | None = None
    sequencer: str = field(default_factory=s3_sequencer)
    region: str = "us-east-1"
    event_time: datetime = field(default_factory=utc_now)
    principal_id: str = DEFAULT_PRINCIPAL
    owner_principal_id: str = DEFAULT_OWNER
    source_ip: str = "127.0.0.1"
    request_id: str = field(default_factory=s3_request_id)
    host_id: str = field(default_factory=s3_host_id)
    configuration_id: str | None = None
    partition: str = "aws"

    def __post_init__(self) -> None:
        self.event_name = self.event_name.removeprefix("s3:")
        if not self.event_name.startswith(
            (
                "ObjectCreated:",
                "ObjectRemoved:",
                "ObjectRestore:",
                "ObjectTagging:",
                "ObjectAcl:",
                "Replication:",
                "LifecycleExpiration:",
                "LifecycleTransition:",
                "IntelligentTiering",
                "ReducedRedundancyLostObject",
            )
        ):
            raise ValueError(f"unknown S3 event name {self.event_name!r}")
        if not self.bucket:
            raise ValueError("an S3 event needs a bucket name")
        if not self.key:
            raise ValueError("an S3 event needs an object key")
        if len(self.key.encode("utf-8")) > 1024:
            raise ValueError("an S3 object key is at most 1024 bytes of UTF-8")
        if self.size is not None and self.size < 0:
            raise ValueError("an object size cannot be negative")

    @property
    def is_removal(self) -> bool:
        return self.event_name.startswith("ObjectRemoved:")

    def _default_etag(self) -> str:
        """The MD5 of an empty object when no size is known, else a stable stand-in for the content's."""
        if not self.size:
            return hashlib.md5(b"").hexdigest()
        return hashlib.md5(f"{self.bucket}/{self.key}/{self.size}".encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        obj: dict[str, Any] = {"key": encode_s3_key(self.key)}
        if not self.is_removal:
            obj["size"] = self.size if self.size is not None else 0
            obj["eTag"] = self.etag if self.etag is not None else self._default_etag()
        if self.version_id is not None:
            obj["versionId"] = self.version_id
        obj["sequencer"] = self.sequencer
        return {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": self.region,
            "eventTime": iso_millis(self.event_time),
            "eventName": self.event_name,
            "userIdentity": {"principalId": self.principal_id},
            "requestParameters": {"sourceIPAddress": self.source_ip},
            "responseElements": {"x-amz-request-id": self.request_id, "x-amz-id-2": self.host_id},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": self.configuration_id or default_configuration_id(self.bucket),
                "bucket": {
                    "name": self.bucket,
                    "ownerIdentity": {"principalId": self.owner_principal_id},
                    "arn": f"arn:{self.partition}:s3:::{self.bucket}",
                },
                "object": obj,
            },
        }


def s3_event_name(kind: str) -> str:
    """`put` -> `ObjectCreated:Put`; full names (with or without `s3:`) pass through."""
    if kind in S3_EVENT_NAMES:
        return S3_EVENT_NAMES[kind]
    name = kind.removeprefix("s3:")
    if ":" in name:
        return name
    raise ValueError(f"unknown S3 event kind {kind!r} (known: {', '.join(S3_EVENT_NAMES)})")


def s3_event(
    kind: str = "put",
    *,
    bucket: str,
    key: str,
    size: int | None = None,
    etag: str | None = None,
    sequencer: str | None = None,
    version_id: str | None = None,
    region: str = "us-east-1",
    **extra: Any,
) -> dict[str, Any]:
    """A complete notification (`{"Records": [record]}`) for one object.

    `extra` takes the other S3EventRecord fields (event_time, principal_id, configuration_id, ...).
    """
    record = S3EventRecord(
        event_name=s3_event_name(kind),
        bucket=bucket,
        key=key,
        size=size,
        etag=etag,
        version_id=version_id,
        region=region,
        **({"sequencer": sequencer} if sequencer else {}),
        **extra,
    )
    return {"Records": [record.to_dict()]}


def s3_records_event(records: list[S3EventRecord]) -> dict[str, Any]:
    """One notification carrying several records (S3 sends one per event; tests may batch)."""
    return {"Records": [record.to_dict() for record in records]}


def s3_test_event(bucket: str, *, event_time: datetime | None = None) -> dict[str, Any]:
    """The `s3:TestEvent` S3 sends when a notification configuration is saved."""
    return {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": iso_millis(event_time or utc_now()),
        "Bucket": bucket,
        "RequestId": s3_request_id(),
        "HostId": s3_host_id(),
    }
