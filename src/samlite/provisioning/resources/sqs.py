"""SQS queues of the template (`AWS::SQS::Queue`), dead-letter queues before the queues naming them."""

from __future__ import annotations

import json

from samlite.model import AwsApi, Resource
from samlite.provisioning.resources.kinds import Provisioning, ResourceKind, fail, tag_map, text

_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "FifoQueue",
    "ContentBasedDeduplication",
)


def queue_name(resource: Resource) -> str:
    return str(resource.attributes.get("QueueName") or resource.ref.rstrip("/").rsplit("/", 1)[-1])


def _queue(context: Provisioning, resource: Resource) -> None:
    props = resource.properties
    name = queue_name(resource)
    attributes = {key: text(props[key]) for key in _ATTRIBUTES if key in props}
    for key in ("RedrivePolicy", "RedriveAllowPolicy"):
        if key in props:
            value = props[key]
            attributes[key] = value if isinstance(value, str) else json.dumps(value)
    try:
        context.aws.backend("sqs").create_queue(name, tags=tag_map(props.get("Tags")), **attributes)
    except Exception as error:
        raise fail(resource, f"cannot create queue {name!r}", error) from error


def empty_queue(sqs: object, queue_name: str) -> None:
    """Purge without moto's "one PurgeQueue per 60 s" rule counting this purge against the user's."""
    queue = sqs.queues.get(queue_name)  # type: ignore[attr-defined]
    if queue is None:
        return
    last_purged_at = queue.last_purged_at
    queue.last_purged_at = None
    try:
        sqs.purge_queue(queue_name)  # type: ignore[attr-defined]
    finally:
        queue.last_purged_at = last_purged_at


def _empty(aws: AwsApi, resource: Resource) -> None:
    empty_queue(aws.backend("sqs"), queue_name(resource))


def _remove(aws: AwsApi, resource: Resource) -> None:
    aws.backend("sqs").queues.pop(queue_name(resource), None)


def _rank(resource: Resource) -> int:
    return 4 if resource.properties.get("RedrivePolicy") else 3  # after the dead-letter queues it names


KINDS = (ResourceKind("AWS::SQS::Queue", _queue, empty=_empty, remove=_remove, rank_of=_rank),)
