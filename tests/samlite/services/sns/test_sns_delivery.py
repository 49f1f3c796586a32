"""SNS deliveries as SNS makes them, against moto in-process with samlite's SNS change applied.

Pages: "Using Lambda with Amazon SNS" (the event), "Fanout to Amazon SQS queues" and "Parsing message
formats" (the envelope), "Amazon SNS raw message delivery", "Message filtering", "Amazon SNS
dead-letter queues (DLQs)", "Message deduplication for FIFO topics" (SNS developer guide)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto.sqs.models import sqs_backends

from samlite.model import FunctionSpec
from samlite.moto_changes.sns_delivery import deliver_subscriptions_to
from samlite.services.awslambda.recursion import ChainTracker
from samlite.services.chaos import Chaos, ChaosPolicy
from samlite.services.sns.delivery import SnsDelivery
from tests.samlite.embedded import ACCOUNT, REGION, changed_moto, function_spec

FN = function_spec("handler")
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:handler"


@dataclass
class Setup:
    sns: Any
    sqs: Any
    submitted: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    function_logs: list[tuple[str, str]] = field(default_factory=list)

    def submit(self, spec: FunctionSpec, payload: bytes, **options: Any) -> str:
        self.submitted.append({"spec": spec, "event": json.loads(payload), **options})
        return "request-id"

    def topic(self, name: str = "events", **attributes: str) -> str:
        return self.sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]

    def queue(self, name: str, **attributes: str) -> tuple[str, str]:
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        return url, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def messages(self, url: str) -> list[dict[str, Any]]:
        found = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        return found.get("Messages", [])


def make_delivery(setup: Setup, chaos: Chaos | None = None) -> SnsDelivery:
    return SnsDelivery(
        resolve_function=lambda arn: FN if arn.split(":")[:7] == FN_ARN.split(":") else None,
        submit=setup.submit,
        sqs_backend=lambda account, region: sqs_backends[account][region],
        log=setup.logs.append,
        function_log=lambda logical_id, line: setup.function_logs.append((logical_id, line)),
        chain=ChainTracker(),
        chaos=chaos,
    )


@pytest.fixture
def setup() -> Iterator[Setup]:
    with changed_moto():
        prepared = Setup(boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION))
        remove = deliver_subscriptions_to(make_delivery(prepared))
        try:
            yield prepared
        finally:
            remove()


def test_a_lambda_subscription_gets_the_sns_event_asynchronously(setup: Setup) -> None:
    """Per "Using Lambda with Amazon SNS": the event's fields, Subject null when absent, invoked async."""
    topic = setup.topic()
    subscription = setup.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FN_ARN)["SubscriptionArn"]
    message_id = setup.sns.publish(TopicArn=topic, Message="hello")["MessageId"]
    [call] = setup.submitted
    assert (call["spec"], call["source"], call["trigger"], call["depth"]) == (FN, "sns", subscription, 1)
    [record] = call["event"]["Records"]
    assert list(record) == ["EventVersion", "EventSubscriptionArn", "EventSource", "Sns"]
    assert (record["EventVersion"], record["EventSource"], record["EventSubscriptionArn"]) == (
        "1.0",
        "aws:sns",
        subscription,
    )
    sns = record["Sns"]
    assert list(sns) == [
        "SignatureVersion",
        "Timestamp",
        "Signature",
        "SigningCertUrl",
        "MessageId",
        "Message",
        "MessageAttributes",
        "Type",
        "UnsubscribeUrl",
        "TopicArn",
        "Subject",
    ]
    assert (sns["MessageId"], sns["Message"], sns["TopicArn"], sns["Type"]) == (
        message_id,
        "hello",
        topic,
        "Notification",
    )
    assert sns["Subject"] is None and sns["MessageAttributes"] == {}
    assert sns["Timestamp"].endswith("Z") and len(sns["Timestamp"]) == 24
    assert sns["UnsubscribeUrl"].endswith(f"SubscriptionArn={subscription}")
    assert len(base64.b64decode(sns["Signature"])) == 256


def test_subject_and_attributes_reach_the_function_binary_as_base64(setup: Setup) -> None:
    topic = setup.topic()
    setup.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FN_ARN)
    setup.sns.publish(
        TopicArn=topic,
        Message="m",
        Subject="greeting",
        MessageAttributes={
            "color": {"DataType": "String", "StringValue": "red"},
            "size": {"DataType": "Number", "StringValue": "3"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    sns = setup.submitted[0]["event"]["Records"][0]["Sns"]
    assert sns["Subject"] == "greeting"
    assert sns["MessageAttributes"] == {
        "color": {"Type": "String", "Value": "red"},
        "size": {"Type": "Number", "Value": "3"},
        "blob": {"Type": "Binary", "Value": base64.b64encode(b"\x00\x01").decode()},
    }


def test_message_structure_json_gives_each_protocol_its_text(setup: Setup) -> None:
    """Publish "MessageStructure": "json": a text per protocol, "default" for the others."""
    topic = setup.topic()
    setup.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FN_ARN)
    url, queue = setup.queue("structured")
    setup.sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"}
    )
    setup.sns.publish(
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"default": "for all", "lambda": "for lambda"}),
    )
    assert setup.submitted[0]["event"]["Records"][0]["Sns"]["Message"] == "for lambda"
    assert [m["Body"] for m in setup.messages(url)] == ["for all"]


def test_a_message_filtered_out_is_not_delivered_and_says_so_in_the_function_log(setup: Setup) -> None:
    """Per "Amazon SNS message filtering": a subscription only receives messages its policy accepts."""
    topic = setup.topic()
    subscription = setup.sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=FN_ARN,
        Attributes={"FilterPolicy": json.dumps({"color": ["red"]})},
    )["SubscriptionArn"]
    setup.sns.publish(
        TopicArn=topic,
        Message="blue one",
        MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"}},
    )
    setup.sns.publish(
        TopicArn=topic,
        Message="red one",
        MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}},
    )
    assert [c["event"]["Records"][0]["Sns"]["Message"] for c in setup.submitted] == ["red one"]
    [(logical_id, line)] = setup.function_logs
    assert logical_id == "Handler"
    assert "filtered out by the FilterPolicy (MessageAttributes)" in line and subscription in line
    assert line in setup.logs


def test_message_body_scope_filters_on_the_body(setup: Setup) -> None:
    """Per "Filter policy scope": FilterPolicyScope MessageBody."""
    topic = setup.topic()
    setup.sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=FN_ARN,
        Attributes={
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": json.dumps({"order": {"total": [{"numeric": [">", 100]}]}}),
        },
    )
    setup.sns.publish(TopicArn=topic, Message=json.dumps({"order": {"total": 5}}))
    setup.sns.publish(TopicArn=topic, Message=json.dumps({"order": {"total": 500}}))
    assert [json.loads(c["event"]["Records"][0]["Sns"]["Message"]) for c in setup.submitted] == [
        {"order": {"total": 500}}
    ]


def test_a_queue_gets_the_json_envelope(setup: Setup) -> None:
    """Per "Parsing message formats": the notification document, `"Key" : value`, URLs spelled ...URL."""
    topic = setup.topic()
    url, queue = setup.queue("envelope")
    subscription = setup.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    message_id = setup.sns.publish(
        TopicArn=topic, Message="hi", MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}}
    )["MessageId"]
    [message] = setup.messages(url)
    body = message["Body"]
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    document = json.loads(body)
    assert list(document) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert (document["MessageId"], document["Message"], document["TopicArn"]) == (message_id, "hi", topic)
    assert document["MessageAttributes"] == {"a": {"Type": "String", "Value": "b"}}
    assert document["UnsubscribeURL"].endswith(subscription)
    assert "MessageAttributes" not in message, "without raw delivery the attributes are in the body only"


def test_raw_message_delivery_sends_the_message_and_its_attributes(setup: Setup) -> None:
    """Per "Amazon SNS raw message delivery": the body is the message, attributes become SQS attributes."""
    topic = setup.topic()
    url, queue = setup.queue("raw")
    setup.sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"}
    )
    setup.sns.publish(
        TopicArn=topic,
        Message="plain text",
        Subject="ignored in raw",
        MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}},
    )
    [message] = setup.messages(url)
    assert message["Body"] == "plain text"
    assert message["MessageAttributes"] == {"n": {"StringValue": "7", "DataType": "Number"}}


def test_a_fifo_topic_passes_group_and_deduplication_to_a_fifo_queue(setup: Setup) -> None:
    """Per "Message deduplication for FIFO topics": content-based deduplication hashes the message."""
    topic = setup.topic("orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    url, queue = setup.queue("orders.fifo", FifoQueue="true")
    setup.sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"}
    )
    setup.sns.publish(TopicArn=topic, Message="first", MessageGroupId="g1")
    found = setup.sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in found] == ["first"]
    assert found[0]["Attributes"]["MessageGroupId"] == "g1"


def test_an_undeliverable_message_goes_to_the_subscriptions_dead_letter_queue(setup: Setup) -> None:
    """Per "Amazon SNS dead-letter queues": what cannot reach its queue goes to the RedrivePolicy queue."""
    topic = setup.topic()
    dlq_url, dlq = setup.queue("sub-dlq")
    setup.sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:gone",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq}), "RawMessageDelivery": "true"},
    )
    setup.sns.publish(TopicArn=topic, Message="lost?")
    assert [m["Body"] for m in setup.messages(dlq_url)] == ["lost?"]
    assert any("sent to the subscription's dead-letter queue" in line for line in setup.logs)


def test_an_undeliverable_message_without_a_redrive_policy_is_logged(setup: Setup) -> None:
    topic = setup.topic()
    setup.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:gone")
    setup.sns.publish(TopicArn=topic, Message="lost")
    assert any("has no RedrivePolicy: the message is lost, as on AWS" in line for line in setup.logs)


def test_protocols_samlite_does_not_emulate_are_said_once(setup: Setup) -> None:
    topic = setup.topic()
    setup.sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="someone@example.com")
    setup.sns.publish(TopicArn=topic, Message="1")
    setup.sns.publish(TopicArn=topic, Message="2")
    said = [line for line in setup.logs if "is not emulated" in line]
    assert len(said) == 1 and "email someone@example.com" in said[0]


def test_a_function_outside_the_template_is_logged(setup: Setup) -> None:
    topic = setup.topic()
    other = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:elsewhere"
    setup.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=other)
    setup.sns.publish(TopicArn=topic, Message="x")
    assert setup.submitted == []
    assert any(
        f"the subscribed function {other} is not a function of the template" in line for line in setup.logs
    )


def test_one_publish_has_one_timestamp_for_every_subscription(setup: Setup) -> None:
    topic = setup.topic()
    setup.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FN_ARN)
    setup.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FN_ARN + ":$LATEST")
    setup.sns.publish(TopicArn=topic, Message="x")
    stamps = {c["event"]["Records"][0]["Sns"]["Timestamp"] for c in setup.submitted}
    assert len(setup.submitted) == 2 and len(stamps) == 1


def test_chaos_duplicates_standard_topic_deliveries(setup: Setup) -> None:
    """A standard topic delivers at least once: chaos may deliver twice."""
    chaos = Chaos(ChaosPolicy(duplicate=1.0, seed=1), log=setup.logs.append)
    remove = deliver_subscriptions_to(make_delivery(setup, chaos))
    try:
        topic = setup.topic()
        setup.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FN_ARN)
        setup.sns.publish(TopicArn=topic, Message="twice")
        assert chaos.wait_idle(5)
    finally:
        remove()
        chaos.close()
    assert [c["event"]["Records"][0]["Sns"]["Message"] for c in setup.submitted] == ["twice", "twice"]
    assert any(line.startswith("samlite: chaos: delivering twice: SNS message") for line in setup.logs)


def test_without_samlite_moto_delivers_as_it_always_did() -> None:
    """The moto change hands deliveries to samlite only while a handler is registered."""
    with changed_moto():
        sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="plain")["QueueUrl"]
        topic = sns.create_topic(Name="plain")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:plain")
        sns.publish(TopicArn=topic, Message="by moto")
        [message] = sqs.receive_message(QueueUrl=url)["Messages"]
        assert json.loads(message["Body"])["Message"] == "by moto"


def test_publish_batch_delivers_each_entry(setup: Setup) -> None:
    """PublishBatch (SNS API reference): each entry is a message of its own."""
    topic = setup.topic()
    setup.sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FN_ARN)
    answer = setup.sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "one"},
            {"Id": "b", "Message": "two", "Subject": "s"},
        ],
    )
    assert len(answer["Successful"]) == 2
    sent = [c["event"]["Records"][0]["Sns"] for c in setup.submitted]
    assert [(m["Message"], m["Subject"]) for m in sent] == [("one", None), ("two", "s")]
    assert [m["MessageId"] for m in sent] == [entry["MessageId"] for entry in answer["Successful"]]
