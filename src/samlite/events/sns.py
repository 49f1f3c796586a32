"""SNS notifications in AWS's exact shapes: the Lambda event, and the JSON envelope queues receive.

- Lambda ("Using Lambda with Amazon SNS", Lambda developer guide): `{"Records": [{"EventVersion":
  "1.0", "EventSubscriptionArn", "EventSource": "aws:sns", "Sns": {...}}]}`, one record per message;
  `Subject` is null when the message has none, `MessageAttributes` is `{}` when it has none, and the
  URLs are spelled `SigningCertUrl` / `UnsubscribeUrl`.
- SQS and HTTP ("Parsing message formats" / "Fanout to Amazon SQS queues", SNS developer guide): a
  JSON document written `"Key" : value`, two spaces of indent, with `Subject` and
  `MessageAttributes` only when present and the URLs spelled `SigningCertURL` / `UnsubscribeURL`;
  FIFO topics add `SequenceNumber`.
- `MessageStructure=json`: the message is a JSON object of texts per protocol, `default` required.

The signature is shaped like SNS's (base64 of 256 bytes) but is not verifiable: there is no SNS key
here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from samlite.events._ids import iso_millis, utc_now


@dataclass(frozen=True)
class SnsMessage:
    """One published message as one subscription receives it."""

    topic_arn: str
    message: str
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    subject: str | None = None
    # name -> {"Type": "String" | "Number" | "Binary" | "String.Array", "Value": text}
    message_attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    timestamp: datetime = field(default_factory=utc_now)
    sequence_number: str | None = None  # FIFO topics

    @property
    def region(self) -> str:
        return self.topic_arn.split(":")[3]


def subscription_arn(topic_arn: str) -> str:
    return f"{topic_arn}:{uuid.uuid4()}"


def _signature() -> str:
    return base64.b64encode(secrets.token_bytes(256)).decode("ascii")


def _cert_url(region: str) -> str:
    digest = hashlib.md5(f"samlite-sns-{region}".encode()).hexdigest()
    return f"https://sns.{region}.amazonaws.com/SimpleNotificationService-{digest}.pem"


def _unsubscribe_url(region: str, subscription: str) -> str:
    return f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription}"


def _attributes(attributes: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    return {
        name: {"Type": str(value["Type"]), "Value": str(value["Value"])} for name, value in attributes.items()
    }


def sns_lambda_record(message: SnsMessage, subscription: str) -> dict[str, Any]:
    """One record of the event Lambda receives from an SNS subscription."""
    region = message.region
    return {
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription,
        "EventSource": "aws:sns",
        "Sns": {
            "SignatureVersion": "1",
            "Timestamp": iso_millis(message.timestamp),
            "Signature": _signature(),
            "SigningCertUrl": _cert_url(region),
            "MessageId": message.message_id,
            "Message": message.message,
            "MessageAttributes": _attributes(message.message_attributes),
            "Type": "Notification",
            "UnsubscribeUrl": _unsubscribe_url(region, subscription),
            "TopicArn": message.topic_arn,
            "Subject": message.subject,
        },
    }


def sns_lambda_event(message: SnsMessage, subscription: str) -> dict[str, Any]:
    """The whole event: `{"Records": [record]}` (SNS invokes a function once per message)."""
    return {"Records": [sns_lambda_record(message, subscription)]}


def sns_envelope(message: SnsMessage, subscription: str) -> str:
    """The notification document an SQS queue (without raw delivery) or an HTTP endpoint receives."""
    region = message.region
    fields: list[tuple[str, Any]] = [
        ("Type", "Notification"),
        ("MessageId", message.message_id),
    ]
    if message.sequence_number is not None:
        fields.append(("SequenceNumber", message.sequence_number))
    fields.append(("TopicArn", message.topic_arn))
    if message.subject is not None:
        fields.append(("Subject", message.subject))
    fields += [
        ("Message", message.message),
        ("Timestamp", iso_millis(message.timestamp)),
        ("SignatureVersion", "1"),
        ("Signature", _signature()),
        ("SigningCertURL", _cert_url(region)),
        ("UnsubscribeURL", _unsubscribe_url(region, subscription)),
    ]
    lines = [f"  {json.dumps(key)} : {json.dumps(value, ensure_ascii=False)}" for key, value in fields]
    if message.message_attributes:
        inner = ",\n".join(
            f"    {json.dumps(name)} : {json.dumps(value, separators=(',', ':'), ensure_ascii=False)}"
            for name, value in _attributes(message.message_attributes).items()
        )
        lines.append(f'  "MessageAttributes" : {{\n{inner}\n  }}')
    return "{\n" + ",\n".join(lines) + "\n}"


def message_for_protocol(message: str, protocol: str) -> str:
    """The text a `MessageStructure=json` message carries for `protocol` (its key, else `default`).
    ValueError when the message is not such an object (Publish refuses it)."""
    try:
        texts = json.loads(message)
    except ValueError:
        raise ValueError("Invalid parameter: Message Structure - No JSON message body is parseable") from None
    if not isinstance(texts, dict) or "default" not in texts:
        raise ValueError("Invalid parameter: Message Structure - No default entry in JSON message body")
    chosen = texts.get(protocol, texts["default"])
    return chosen if isinstance(chosen, str) else json.dumps(chosen)
