"""EventBridge events in AWS's exact shapes: PutEvents entries, scheduled events, S3's events.

Every event has the envelope of "Amazon EventBridge events" (EventBridge User Guide): `version` "0",
`id`, `detail-type`, `source`, `account`, `time` (whole seconds, Z), `region`, `resources`, `detail`,
in that order.
- PutEvents entries become that envelope, `detail` being the entry's `Detail` parsed;
- a scheduled rule sends `"detail-type": "Scheduled Event"`, `"source": "aws.events"`, the rule's ARN
  in `resources` and `"detail": {}` ("Creating a rule that runs on a schedule");
- a bucket with EventBridge enabled sends "Object Created" / "Object Deleted" with the detail of
  "EventBridge event message structure" (S3 User Guide): the key is not URL-encoded there, `reason`
  names the API (PutObject, POST Object, CopyObject, CompleteMultipartUpload, DeleteObject) and
  deletions say `deletion-type` ("Permanently Deleted" or "Delete Marker Created").
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from samlite.events._ids import iso_seconds, s3_request_id, utc_now

SCHEDULED_EVENT = "Scheduled Event"
_S3_REASONS = {
    "ObjectCreated:Put": "PutObject",
    "ObjectCreated:Post": "POST Object",
    "ObjectCreated:Copy": "CopyObject",
    "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
    "ObjectRemoved:Delete": "DeleteObject",
    "ObjectRemoved:DeleteMarkerCreated": "DeleteObject",
}


def eventbridge_event(
    *,
    source: str,
    detail_type: str,
    detail: Mapping[str, Any] | Any,
    account: str = "123456789012",
    region: str = "us-east-1",
    resources: Sequence[str] = (),
    time: datetime | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """The event rules and targets see for one PutEvents entry (or one AWS service event)."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": iso_seconds(time or utc_now()),
        "region": region,
        "resources": list(resources),
        "detail": detail,
    }


def scheduled_event(
    rule_arn: str, *, time: datetime | None = None, event_id: str | None = None
) -> dict[str, Any]:
    """What a schedule rule's targets receive when the schedule fires."""
    parts = rule_arn.split(":")
    return eventbridge_event(
        source="aws.events",
        detail_type=SCHEDULED_EVENT,
        detail={},
        account=parts[4],
        region=parts[3],
        resources=[rule_arn],
        time=time,
        event_id=event_id,
    )


def s3_eventbridge_event(
    event_name: str,
    *,
    bucket: str,
    key: str,
    account: str = "123456789012",
    region: str = "us-east-1",
    size: int | None = None,
    etag: str | None = None,
    version_id: str | None = None,
    sequencer: str = "",
    request_id: str | None = None,
    source_ip: str = "127.0.0.1",
    requester: str | None = None,
    time: datetime | None = None,
    partition: str = "aws",
) -> dict[str, Any] | None:
    """S3's EventBridge event for one object change (`ObjectCreated:Put`...), or None for a change
    S3 sends no EventBridge event for."""
    name = event_name.removeprefix("s3:")
    reason = _S3_REASONS.get(name)
    if reason is None:
        return None
    created = name.startswith("ObjectCreated:")
    obj: dict[str, Any] = {"key": key}
    if created:
        obj["size"] = size or 0
        if etag is not None:
            obj["etag"] = etag
    if version_id is not None:
        obj["version-id"] = version_id
    obj["sequencer"] = sequencer.lower()
    detail: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket},
        "object": obj,
        "request-id": request_id or s3_request_id(),
        "requester": requester or account,
        "source-ip-address": source_ip,
        "reason": reason,
    }
    if not created:
        marker = name == "ObjectRemoved:DeleteMarkerCreated"
        detail["deletion-type"] = "Delete Marker Created" if marker else "Permanently Deleted"
    return eventbridge_event(
        source="aws.s3",
        detail_type="Object Created" if created else "Object Deleted",
        detail=detail,
        account=account,
        region=region,
        resources=[f"arn:{partition}:s3:::{bucket}"],
        time=time,
    )
