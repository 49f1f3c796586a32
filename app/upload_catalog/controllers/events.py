"""Validation and decoding of S3 notification events into ObjectEvent / IgnoredEvent / MalformedRecord.

Shapes follow the Amazon S3 User Guide, "Event message structure" and "Event notification types":
record ``eventName`` values carry no ``s3:`` prefix (``ObjectCreated:Put``); object keys are URL-encoded
the way HTML forms are (space as ``+``), hence ``unquote_plus``, as strict UTF-8 (``object_key``); a
bucket's first notification configuration triggers a ``s3:TestEvent`` message that has no ``Records`` at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from upload_catalog.controllers.sequencer import normalize_sequencer
from upload_catalog.models import Action, IgnoredEvent, MalformedRecord, ObjectEvent
from upload_catalog.object_key import InvalidKey, decode_key

_CREATE_NAMES = frozenset(
    {
        "ObjectCreated:Put",
        "ObjectCreated:Post",
        "ObjectCreated:Copy",
        "ObjectCreated:CompleteMultipartUpload",
    }
)
_REMOVE_NAMES = frozenset({"ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated"})


class RecordError(Exception):
    """A record field is missing or has the wrong type; the message names the field."""


@dataclass
class ParsedEvent:
    """A whole invocation's event, split into what to do, what to acknowledge and what is broken."""

    objects: list[tuple[int, ObjectEvent]] = field(default_factory=list)  # (record index, record)
    ignored: list[tuple[int, IgnoredEvent]] = field(default_factory=list)
    malformed: list[MalformedRecord] = field(default_factory=list)


def parse_event(event: Any) -> ParsedEvent:
    """Split ``event`` into its records. Never raises: every problem becomes a MalformedRecord."""
    parsed = ParsedEvent()
    if not isinstance(event, Mapping):
        parsed.malformed.append(MalformedRecord(-1, f"event is a {type(event).__name__}, not an object"))
        return parsed
    if event.get("Event") == "s3:TestEvent":
        bucket = event.get("Bucket")
        parsed.ignored.append((-1, IgnoredEvent("s3:TestEvent", bucket if isinstance(bucket, str) else None)))
        return parsed
    records = event.get("Records")
    if not isinstance(records, list):
        reason = "event has no 'Records' list: not an S3 notification"
        parsed.malformed.append(MalformedRecord(-1, reason))
        return parsed
    for index, record in enumerate(records):
        try:
            result = parse_record(record)
        except RecordError as err:
            parsed.malformed.append(MalformedRecord(index, str(err)))
            continue
        if isinstance(result, ObjectEvent):
            parsed.objects.append((index, result))
        else:
            parsed.ignored.append((index, result))
    return parsed


def parse_record(record: Any) -> ObjectEvent | IgnoredEvent:
    """Validate one record; raise RecordError naming the first bad field."""
    if not isinstance(record, Mapping):
        raise RecordError(f"record is a {type(record).__name__}, not an object")
    source = record.get("eventSource")
    if source != "aws:s3":
        raise RecordError(f"eventSource is {source!r}, expected 'aws:s3': not an S3 record")
    event_name = _require_str(record, "eventName", "eventName").removeprefix("s3:")
    s3 = _require_mapping(record, "s3", "s3")
    bucket = _require_str(_require_mapping(s3, "bucket", "s3.bucket"), "name", "s3.bucket.name")
    obj = _require_mapping(s3, "object", "s3.object")
    key = _decode_key(_require_str(obj, "key", "s3.object.key"))

    action = _action(event_name, obj)
    if action is Action.IGNORE:
        return IgnoredEvent(event_name, bucket, key)

    event_time = _require_str(record, "eventTime", "eventTime")
    try:
        datetime.fromisoformat(event_time)
    except ValueError:
        raise RecordError(f"eventTime {event_time!r} is not an ISO 8601 timestamp") from None
    raw_sequencer = _require_str(obj, "sequencer", "s3.object.sequencer")
    try:
        sequencer = normalize_sequencer(raw_sequencer)
    except ValueError as err:
        raise RecordError(f"s3.object.sequencer: {err}") from None
    size = _optional_int(obj, "size", "s3.object.size")
    etag = _optional_str(obj, "eTag", "s3.object.eTag")
    version_id = _optional_str(obj, "versionId", "s3.object.versionId")
    return ObjectEvent(
        bucket=bucket,
        key=key,
        event_name=event_name,
        action=action,
        sequencer=sequencer,
        event_time=event_time,
        size=size,
        etag=etag.strip('"') if etag else None,
        version_id=version_id or None,
    )


def _action(event_name: str, obj: Mapping[str, Any]) -> Action:
    if event_name in _CREATE_NAMES:
        return Action.CREATE
    if event_name == "ObjectRemoved:Delete" and obj.get("versionId"):
        # In a versioned bucket a Delete with a versionId removed one version for good; an older version
        # may now be current, so the key's state must be read back rather than assumed gone.
        return Action.RECONCILE
    if event_name in _REMOVE_NAMES:
        return Action.REMOVE
    return Action.IGNORE


def _decode_key(raw: str) -> str:
    """The key as S3 names it; a key no object can have (``object_key``) makes the record malformed."""
    try:
        return decode_key(raw, form_encoded=True)
    except InvalidKey as err:
        shown = raw if len(raw) <= 80 else raw[:80] + "..."
        raise RecordError(f"s3.object.key {shown!r} {err}") from None


def _require_mapping(parent: Mapping[str, Any], name: str, path: str) -> Mapping[str, Any]:
    value = parent.get(name)
    if not isinstance(value, Mapping):
        raise RecordError(f"{path} is {_describe(value)}, expected an object")
    return value


def _require_str(parent: Mapping[str, Any], name: str, path: str) -> str:
    value = parent.get(name)
    if not isinstance(value, str) or not value:
        raise RecordError(f"{path} is {_describe(value)}, expected a non-empty string")
    return value


def _optional_str(parent: Mapping[str, Any], name: str, path: str) -> str | None:
    value = parent.get(name)
    if value is not None and not isinstance(value, str):
        raise RecordError(f"{path} is {_describe(value)}, expected a string")
    return value


def _optional_int(parent: Mapping[str, Any], name: str, path: str) -> int | None:
    value = parent.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{path} is {_describe(value)}, expected a non-negative integer")
    return value


def _describe(value: Any) -> str:
    return "missing" if value is None else f"{type(value).__name__} {value!r}"[:80]
