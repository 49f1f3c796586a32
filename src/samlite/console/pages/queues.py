"""Queues and topics page: every queue with its counts and dead-letter relations, its messages
peeked without consuming them, redrive from a dead-letter queue to its source, purge; every topic
with its subscriptions, and publish.

Peeking reads moto's stored messages: ReceiveMessage would count a receive, make the messages
invisible for a while, and could move them on to a dead-letter queue. Everything that changes a
queue goes through the endpoint's SQS, SNS and Lambda APIs as the administrator.

A dead-letter queue's source is what sends to it: a queue whose RedrivePolicy names it (its
messages go back there, as SQS's own DLQ redrive does), or a function whose DeadLetterQueue or
on-failure destination it is (each message's event is invoked again asynchronously, the
`requestPayload` of an on-failure invocation record). Fix the cause, then redrive.
"""

from __future__ import annotations

import json
from typing import Any

from samlite.console.context import ConsoleContext
from samlite.console.http import ConsoleError, ConsoleRequest, bad_request, json_response, not_found
from samlite.console.router import Router
from samlite.endpoint.local_apis import ApiResponse

PEEK_LIMIT = 200


def _queue_rows(context: ConsoleContext) -> list[dict[str, Any]]:
    clients = context.clients
    urls = clients.call("sqs", "list_queues", MaxResults=1000).get("QueueUrls", [])
    logical = {
        resource.ref: resource.logical_id
        for resource in context.sources.stack.resources.values()
        if resource.type == "AWS::SQS::Queue"
    }
    rows = []
    for url in urls:
        attributes = clients.call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=["All"]).get(
            "Attributes", {}
        )
        redrive = json.loads(attributes["RedrivePolicy"]) if attributes.get("RedrivePolicy") else None
        rows.append(
            {
                "name": url.rsplit("/", 1)[-1],
                "url": url,
                "arn": attributes.get("QueueArn"),
                "logicalId": logical.get(url),
                "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
                "inFlight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
                "delayed": int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
                "fifo": url.endswith(".fifo"),
                "redrivePolicy": redrive,
            }
        )
    by_arn = {row["arn"]: row for row in rows}
    for row in rows:
        row["sources"] = redrive_sources(context, row["arn"], by_arn)
    return rows


def redrive_sources(
    context: ConsoleContext, dlq_arn: str, queues_by_arn: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """What sends to the queue `dlq_arn` when it gives up: queues and functions."""
    sources: list[dict[str, Any]] = [
        {"kind": "queue", "arn": arn, "name": row["name"], "url": row["url"]}
        for arn, row in sorted(queues_by_arn.items())
        if (row.get("redrivePolicy") or {}).get("deadLetterTargetArn") == dlq_arn
    ]
    for logical_id, spec in sorted(context.sources.stack.functions.items()):
        if dlq_arn in (spec.dead_letter_target_arn, spec.event_invoke_config.on_failure_arn):
            record = spec.event_invoke_config.on_failure_arn == dlq_arn
            sources.append(
                {
                    "kind": "function",
                    "arn": context.sources.provisioned.function_arns.get(logical_id, ""),
                    "name": logical_id,
                    "functionName": spec.function_name,
                    "invocationRecords": record,
                }
            )
    return sources


def _find_queue(context: ConsoleContext, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = _queue_rows(context)
    for row in rows:
        if row["name"] == name:
            return row, rows
    raise not_found(f"there is no queue {name!r}")


def _peek(context: ConsoleContext, name: str, limit: int) -> list[dict[str, Any]]:
    try:
        queue = context.sources.aws.backend("sqs").get_queue(name)
        stored = list(queue._messages)  # moto keeps every message here, in flight or not
    except Exception as error:
        raise not_found(f"cannot read the messages of {name!r}: {getattr(error, 'message', error)}") from None
    rows = []
    for message in stored[:limit]:
        state = "delayed" if message.delayed else ("visible" if message.visible else "in flight")
        rows.append(
            {
                "messageId": message.id,
                "body": message.body,
                "state": state,
                "sentTimestamp": message.sent_timestamp,
                "receiveCount": message.approximate_receive_count,
                "firstReceiveTimestamp": message.approximate_first_receive_timestamp,
                "attributes": {
                    name: value.get("StringValue", value.get("BinaryValue"))
                    for name, value in (message.message_attributes or {}).items()
                },
                "groupId": message.group_id,
            }
        )
    return rows


def _redrive_one(context: ConsoleContext, target: dict[str, Any], message: dict[str, Any]) -> None:
    clients = context.clients
    body = message["Body"]
    if target["kind"] == "queue":
        params: dict[str, Any] = {"QueueUrl": target["url"], "MessageBody": body}
        if message.get("MessageAttributes"):
            params["MessageAttributes"] = message["MessageAttributes"]
        if target["url"].endswith(".fifo"):
            attributes = message.get("Attributes", {})
            params["MessageGroupId"] = attributes.get("MessageGroupId", "redrive")
            params["MessageDeduplicationId"] = message["MessageId"]
        clients.call("sqs", "send_message", **params)
        return
    payload = body
    if target.get("invocationRecords"):
        try:
            payload = json.dumps(json.loads(body)["requestPayload"])
        except (ValueError, KeyError, TypeError):
            payload = body
    clients.call(
        "lambda",
        "invoke",
        FunctionName=target["functionName"],
        InvocationType="Event",
        Payload=payload.encode(),
    )


def redrive(
    context: ConsoleContext, name: str, message_id: str | None, target_arn: str | None
) -> dict[str, Any]:
    row, _rows = _find_queue(context, name)
    sources = row["sources"]
    if target_arn:
        sources = [source for source in sources if source["arn"] == target_arn]
        if not sources:
            raise bad_request(f"{target_arn} does not send to {name!r}: it cannot be redriven there")
    if not sources:
        raise bad_request(
            f"{name!r} is no queue's or function's dead-letter queue: there is nowhere to redrive to"
        )
    if len(sources) > 1:
        names = ", ".join(source["arn"] for source in sources)
        raise bad_request(f"{name!r} is the dead-letter queue of several sources; choose one: {names}")
    target = sources[0]
    clients = context.clients
    budget = row["visible"] + 10  # messages present now: a redriven one failing again is not taken twice
    moved, held = [], []
    try:
        while budget > 0 and not (message_id and moved):
            answer = clients.call(
                "sqs", "receive_message", QueueUrl=row["url"], MaxNumberOfMessages=10, VisibilityTimeout=30,
                AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=0,
            )  # fmt: skip
            messages = answer.get("Messages", [])
            if not messages:
                break
            for message in messages:
                budget -= 1
                if message_id and message["MessageId"] != message_id:
                    held.append(message["ReceiptHandle"])
                    continue
                _redrive_one(context, target, message)
                clients.call(
                    "sqs", "delete_message", QueueUrl=row["url"], ReceiptHandle=message["ReceiptHandle"]
                )
                moved.append(message["MessageId"])
    finally:
        for handle in held:
            clients.call(
                "sqs",
                "change_message_visibility",
                QueueUrl=row["url"],
                ReceiptHandle=handle,
                VisibilityTimeout=0,
            )
    if message_id and not moved:
        raise ConsoleError(404, "NotFound", f"message {message_id} is not (or no longer) visible in {name!r}")
    return {"queue": name, "target": target, "redriven": moved}


def _topics(context: ConsoleContext) -> list[dict[str, Any]]:
    clients = context.clients
    topics = clients.call("sns", "list_topics").get("Topics", [])
    rows = []
    for topic in topics:
        arn = topic["TopicArn"]
        subscriptions = clients.call("sns", "list_subscriptions_by_topic", TopicArn=arn).get(
            "Subscriptions", []
        )
        rows.append(
            {
                "arn": arn,
                "name": arn.rsplit(":", 1)[-1],
                "subscriptions": [
                    {
                        "protocol": s.get("Protocol"),
                        "endpoint": s.get("Endpoint"),
                        "arn": s.get("SubscriptionArn"),
                    }
                    for s in subscriptions
                ],
            }
        )
    return rows


def register(router: Router, context: ConsoleContext) -> None:
    def queues(_request: ConsoleRequest) -> ApiResponse:
        return json_response({"queues": _queue_rows(context), "topics": _topics(context)})

    def messages(request: ConsoleRequest) -> ApiResponse:
        name = request.params["name"]
        limit = request.int_arg("limit", PEEK_LIMIT, low=1, high=10_000)
        return json_response({"queue": name, "messages": _peek(context, name, limit)})

    def redrive_route(request: ConsoleRequest) -> ApiResponse:
        body = request.json()
        return json_response(
            redrive(context, request.params["name"], body.get("messageId"), body.get("target"))
        )

    def purge(request: ConsoleRequest) -> ApiResponse:
        row, _rows = _find_queue(context, request.params["name"])
        context.clients.call("sqs", "purge_queue", QueueUrl=row["url"])
        return json_response({"queue": row["name"], "purged": True})

    def publish(request: ConsoleRequest) -> ApiResponse:
        body = request.json()
        arn, message = body.get("topicArn"), body.get("message")
        if not arn or not isinstance(message, str) or not message:
            raise bad_request("publishing needs 'topicArn' and a non-empty 'message' text")
        params: dict[str, Any] = {"TopicArn": arn, "Message": message}
        if body.get("subject"):
            params["Subject"] = str(body["subject"])
        answer = context.clients.call("sns", "publish", **params)
        return json_response({"messageId": answer.get("MessageId")})

    router.add("GET", "/api/queues", queues)
    router.add("GET", "/api/queues/{name}/messages", messages)
    router.add("POST", "/api/queues/{name}/redrive", redrive_route)
    router.add("POST", "/api/queues/{name}/purge", purge)
    router.add("POST", "/api/topics/publish", publish)
