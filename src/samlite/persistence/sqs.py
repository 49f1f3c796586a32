"""SQS's part of the snapshot: every queue's attributes and tags, and every message it holds.

Per message: its id, body, message attributes, system attributes (AWSTraceHeader), sent and first
receive times, receive count, FIFO group, deduplication id and sequence number, and the times until
which it is delayed or invisible (absolute, in milliseconds: a message received before the stop
becomes visible again when its visibility timeout ends, as on SQS, or at once if it ended while
samlite was stopped). Receipt handles are not kept: a restart ends every receive, as a consumer
that restarts would receive the message again.

Messages are put back into moto's queues directly, never through SendMessage: restoring sends
nothing to an event-source mapping; samlite's pollers find the messages as they would any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samlite.model import AwsApi, Resource
from samlite.persistence.codec import plain
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource

QUEUE = "AWS::SQS::Queue"
# The attributes CreateQueue accepts (the others are counts and names SQS computes).
_SETTABLE = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
)
_MESSAGE_FIELDS = (
    "sent_timestamp",
    "approximate_first_receive_timestamp",
    "approximate_receive_count",
    "deduplication_id",
    "group_id",
    "sequence_number",
    "visible_at",
    "delayed_until",
    "sender_id",
)


class SqsSection:
    name = "sqs"
    types = (QUEUE,)

    def template_name(self, resource: Resource) -> str | None:
        return _queue_name(resource.ref) if resource.type == QUEUE else None

    def capture(self, context: CaptureContext) -> dict[str, Any]:
        sqs = context.aws.backend("sqs")
        queues = []
        for name, queue in sorted(dict(sqs.queues).items()):
            with queue._messages_lock:
                messages = list(queue._messages)
            attributes = queue.attributes
            queues.append(
                {
                    "name": name,
                    "logical_id": context.logical_id(QUEUE, name),
                    "attributes": {
                        k: plain(attributes[k]) for k in _SETTABLE if attributes.get(k) is not None
                    },
                    "tags": dict(queue.tags),
                    "messages": [_message(m) for m in messages],
                }
            )
        return {"queues": queues}

    def saved(self, content: Mapping[str, Any]) -> list[SavedResource]:
        return [SavedResource(QUEUE, q["name"], q.get("logical_id")) for q in content.get("queues", [])]

    def refusal(self, content: Mapping[str, Any], saved: SavedResource, template: Resource) -> str | None:
        return None

    def discard(self, aws: AwsApi, saved: SavedResource) -> None:
        aws.backend("sqs").queues.pop(saved.name, None)

    def restore(self, context: RestoreContext, content: Mapping[str, Any]) -> None:
        sqs = context.aws.backend("sqs")
        saved_queues = list(content.get("queues", []))
        # A dead-letter queue is created before the queues whose RedrivePolicy names it.
        saved_queues.sort(key=lambda q: "RedrivePolicy" in q.get("attributes", {}))
        queues = messages = 0
        for saved in saved_queues:
            decision = context.decide(QUEUE, saved["name"])
            if decision == "drop":
                continue
            if decision == "recreate" and saved["name"] not in sqs.queues:
                sqs.create_queue(saved["name"], tags=dict(saved.get("tags") or {}), **saved["attributes"])
            queue = sqs.queues[saved["name"]]
            restored = [_restored_message(entry) for entry in saved.get("messages", [])]
            with queue._messages_lock:
                queue._messages = restored  # the saved messages are the queue's, not added to it
                queue._messages_lock.notify_all()
            messages += len(restored)
            queues += 1
        if queues:
            context.summary.append(
                f"{queues} queue{'s' * (queues != 1)} ({messages} message{'s' * (messages != 1)})"
            )


def _queue_name(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


def _message(message: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": message.id,
        "body": message.body,
        "message_attributes": plain(message.message_attributes),
        "system_attributes": plain(message.system_attributes),
    }
    for field_name in _MESSAGE_FIELDS:
        entry[field_name] = getattr(message, field_name, None)
    return entry


def _restored_message(entry: Mapping[str, Any]) -> Any:
    from moto.sqs.models import Message

    message = Message(
        entry["id"], entry["body"], system_attributes=dict(entry.get("system_attributes") or {})
    )
    message.message_attributes = dict(entry.get("message_attributes") or {})
    for field_name in _MESSAGE_FIELDS:
        if entry.get(field_name) is not None:
            setattr(message, field_name, entry[field_name])
    return message
