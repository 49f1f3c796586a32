"""DynamoDB stream records as Lambda delivers them to a function (an event-source mapping's batch).

Shape: AWS Lambda Developer Guide, "Using AWS Lambda with Amazon DynamoDB" (example event), and the
DynamoDB Streams API's `StreamRecord` (Amazon DynamoDB API Reference): `eventID`, `eventName`
(INSERT | MODIFY | REMOVE), `eventVersion` "1.1", `eventSource` "aws:dynamodb", `awsRegion`,
`dynamodb` (`ApproximateCreationDateTime` in epoch seconds, rounded down to the second, `Keys`,
`NewImage` / `OldImage` as the stream's view type includes them, `SequenceNumber`, `SizeBytes`,
`StreamViewType`) and `eventSourceARN`, the stream's ARN.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from samlite.events._ids import utc_now

EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")
VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")

Image = Mapping[str, Mapping[str, Any]]  # attribute name -> DynamoDB JSON value ({"S": "..."})


def dynamodb_record(
    *,
    event_id: str,
    event_name: str,
    keys: Image,
    new_image: Image | None,
    old_image: Image | None,
    sequence_number: str,
    size_bytes: int,
    view_type: str,
    created_epoch_s: float,
    stream_arn: str,
    region: str,
) -> dict[str, Any]:
    """One stream record; the images the view type does not carry are left out."""
    if event_name not in EVENT_NAMES:
        raise ValueError(f"eventName must be one of {', '.join(EVENT_NAMES)}, not {event_name!r}")
    if view_type not in VIEW_TYPES:
        raise ValueError(f"StreamViewType must be one of {', '.join(VIEW_TYPES)}, not {view_type!r}")
    body: dict[str, Any] = {"ApproximateCreationDateTime": int(created_epoch_s), "Keys": dict(keys)}
    if new_image is not None and view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["NewImage"] = dict(new_image)
    if old_image is not None and view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["OldImage"] = dict(old_image)
    body.update({"SequenceNumber": sequence_number, "SizeBytes": size_bytes, "StreamViewType": view_type})
    return {
        "eventID": event_id,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": body,
        "eventSourceARN": stream_arn,
    }


def item_size(*images: Image | None) -> int:
    """An estimate of DynamoDB's item size of the images together ("Item sizes and formats", Amazon
    DynamoDB Developer Guide): names and strings in UTF-8 bytes, numbers about one byte per two
    significant digits plus one, binaries their length, booleans and nulls one byte, lists and maps 3
    bytes plus one per element."""
    return sum(
        len(name.encode()) + _value_size(value) for image in images if image for name, value in image.items()
    )


def _value_size(value: Mapping[str, Any]) -> int:
    if len(value) != 1:
        return len(json.dumps(value))
    kind, inner = next(iter(value.items()))
    size = _SIZES.get(kind)
    return size(inner) if size is not None else len(json.dumps(inner))


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").split("e")[0].split("E")[0].strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


_SIZES: dict[str, Any] = {
    "S": lambda inner: len(str(inner).encode()),
    "N": lambda inner: _number_size(str(inner)),
    "B": lambda inner: len(str(inner)) * 3 // 4,
    "BOOL": lambda inner: 1,
    "NULL": lambda inner: 1,
    "SS": lambda inner: sum(len(str(e).encode()) for e in inner),
    "NS": lambda inner: sum(_number_size(str(e)) for e in inner),
    "BS": lambda inner: sum(len(str(e)) * 3 // 4 for e in inner),
    "L": lambda inner: 3 + sum(1 + _value_size(e) for e in inner),
    "M": lambda inner: 3 + sum(1 + len(k.encode()) + _value_size(e) for k, e in inner.items()),
}


def sample_dynamodb_event(
    *,
    table: str = "my-table",
    event_names: tuple[str, ...] = ("INSERT", "MODIFY", "REMOVE"),
    keys: Image | None = None,
    new_image: Image | None = None,
    old_image: Image | None = None,
    view_type: str = "NEW_AND_OLD_IMAGES",
    region: str = "us-east-1",
    account_id: str = "123456789012",
) -> dict[str, Any]:
    """An event of one record per event name (`samlite generate-event dynamodb`): INSERT carries the
    new image only, REMOVE the old one only, MODIFY both, as a table's stream writes them."""
    keys = dict(keys or {"Id": {"N": "101"}})
    new = dict(new_image or {**keys, "Message": {"S": "New item!"}})
    old = dict(old_image or {**keys, "Message": {"S": "Old item!"}})
    now = utc_now()
    label = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"
    stream_arn = f"arn:aws:dynamodb:{region}:{account_id}:table/{table}/stream/{label}"
    records = []
    for index, name in enumerate(event_names):
        images = {"INSERT": (new, None), "MODIFY": (new, old), "REMOVE": (None, old)}[name]
        records.append(
            dynamodb_record(
                event_id=hashlib.md5(uuid.uuid4().bytes).hexdigest(),
                event_name=name,
                keys=keys,
                new_image=images[0],
                old_image=images[1],
                sequence_number=f"{int(now.timestamp()):010d}{index + 1:018d}",
                size_bytes=item_size(keys, *[image for image in images if view_type != "KEYS_ONLY"]),
                view_type=view_type,
                created_epoch_s=now.timestamp(),
                stream_arn=stream_arn,
                region=region,
            )
        )
    return {"Records": records}
