"""SQS messages as Lambda delivers them to a function (an event-source mapping's batch).

Shape: AWS Lambda Developer Guide, "Using Lambda with Amazon SQS" (the standard and FIFO example
events): `messageId`, `receiptHandle`, `body`, `attributes` (ApproximateReceiveCount, SentTimestamp,
SenderId, ApproximateFirstReceiveTimestamp; FIFO queues add SequenceNumber, MessageGroupId and
MessageDeduplicationId; AWSTraceHeader when the message carries one), `messageAttributes` (each with
`stringValue` or `binaryValue`, `stringListValues`, `binaryListValues` and `dataType`), `md5OfBody`,
`md5OfMessageAttributes` (only when there are message attributes), `eventSource` "aws:sqs",
`eventSourceARN` and `awsRegion`. Counts and timestamps are strings, as SQS's system attributes are.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from samlite.events._ids import epoch_millis, request_uuid, utc_now

DEFAULT_SENDER_ID = "AIDAIENQZJOLO23YVJ4VO"


@dataclass(frozen=True)
class SqsMessage:
    """What one SQS message record is built from: the message as ReceiveMessage returns it."""

    message_id: str
    receipt_handle: str
    body: str
    sent_timestamp_ms: int
    first_receive_timestamp_ms: int
    receive_count: int
    sender_id: str = DEFAULT_SENDER_ID
    # As SQS's API has them: {"name": {"DataType": ..., "StringValue" | "BinaryValue": ...}}.
    message_attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    md5_of_message_attributes: str | None = None
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    trace_header: str | None = None

    @property
    def md5_of_body(self) -> str:
        return hashlib.md5(self.body.encode("utf-8")).hexdigest()


def _base64(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)  # already base64 text, as the query and JSON protocols carry it


def lambda_message_attribute(attribute: Mapping[str, Any]) -> dict[str, Any]:
    """One message attribute in the Lambda record's shape (lower camel case, list fields present)."""
    data_type = str(attribute.get("DataType", "String"))
    converted: dict[str, Any] = {}
    if attribute.get("StringValue") is not None:
        converted["stringValue"] = str(attribute["StringValue"])
    if attribute.get("BinaryValue") is not None:
        converted["binaryValue"] = _base64(attribute["BinaryValue"])
    converted["stringListValues"] = [str(v) for v in attribute.get("StringListValues") or ()]
    converted["binaryListValues"] = [_base64(v) for v in attribute.get("BinaryListValues") or ()]
    converted["dataType"] = data_type
    return converted


def sqs_record(message: SqsMessage, *, queue_arn: str, region: str) -> dict[str, Any]:
    """One record of an SQS event, in the key order Lambda writes."""
    attributes: dict[str, str] = {
        "ApproximateReceiveCount": str(message.receive_count),
        "SentTimestamp": str(message.sent_timestamp_ms),
    }
    if message.sequence_number is not None:
        attributes["SequenceNumber"] = message.sequence_number
    if message.group_id is not None:
        attributes["MessageGroupId"] = message.group_id
    attributes["SenderId"] = message.sender_id
    if message.deduplication_id is not None:
        attributes["MessageDeduplicationId"] = message.deduplication_id
    if message.trace_header is not None:
        attributes["AWSTraceHeader"] = message.trace_header
    attributes["ApproximateFirstReceiveTimestamp"] = str(message.first_receive_timestamp_ms)
    record: dict[str, Any] = {
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": {
            name: lambda_message_attribute(value) for name, value in message.message_attributes.items()
        },
        "md5OfBody": message.md5_of_body,
    }
    if message.message_attributes and message.md5_of_message_attributes:
        record["md5OfMessageAttributes"] = message.md5_of_message_attributes
    record.update({"eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": region})
    return record


def sqs_event(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"Records": [dict(record) for record in records]}


def sample_sqs_event(
    bodies: Sequence[str],
    *,
    queue_name: str = "my-queue",
    region: str = "us-east-1",
    account_id: str = "123456789012",
    group_id: str | None = None,
    attributes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An event of fresh messages (`samlite generate-event sqs`); a FIFO queue when `group_id` is given."""
    fifo = group_id is not None
    name = queue_name if not fifo or queue_name.endswith(".fifo") else f"{queue_name}.fifo"
    arn = f"arn:{_partition(region)}:sqs:{region}:{account_id}:{name}"
    now = epoch_millis(utc_now())
    message_attributes = {
        key: {"DataType": "String", "StringValue": value} for key, value in (attributes or {}).items()
    }
    records = []
    for index, body in enumerate(bodies):
        message = SqsMessage(
            message_id=request_uuid(),
            receipt_handle=_receipt_handle(),
            body=body,
            sent_timestamp_ms=now,
            first_receive_timestamp_ms=now + 1,
            receive_count=1,
            sender_id=DEFAULT_SENDER_ID,
            message_attributes=message_attributes,
            md5_of_message_attributes=message_attributes_md5(message_attributes)
            if message_attributes
            else None,
            group_id=group_id,
            deduplication_id=hashlib.sha256(body.encode()).hexdigest() if fifo else None,
            sequence_number=f"{now * 10**7 + index:020d}" if fifo else None,
        )
        records.append(sqs_record(message, queue_arn=arn, region=region))
    return sqs_event(records)


def message_attributes_md5(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """MD5OfMessageAttributes as SQS computes it ("Calculating the MD5 message digest for message
    attributes", Amazon SQS Developer Guide)."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        attribute = attributes[name]
        data_type = str(attribute.get("DataType", "String"))
        for part in (name.encode("utf-8"), data_type.encode("utf-8")):
            digest.update(len(part).to_bytes(4, "big") + part)
        if attribute.get("StringValue") is not None:
            value = str(attribute["StringValue"]).encode("utf-8")
            digest.update(b"\x01" + len(value).to_bytes(4, "big") + value)
        elif attribute.get("BinaryValue") is not None:
            raw = attribute["BinaryValue"]
            value = bytes(raw) if isinstance(raw, bytes | bytearray) else base64.b64decode(str(raw))
            digest.update(b"\x02" + len(value).to_bytes(4, "big") + value)
    return digest.hexdigest()


def _receipt_handle() -> str:
    return "AQEB" + base64.b64encode(hashlib.sha256(request_uuid().encode()).digest() * 3).decode()


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
