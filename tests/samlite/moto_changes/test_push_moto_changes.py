"""The moto changes that hand SNS and EventBridge deliveries to samlite (the canary for their
signatures is test_seam's): moto delivers nothing itself while they are applied, and the handler
registered last is the one called."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from samlite.moto_changes.events_delivery import route_events_to
from samlite.moto_changes.handlers import HandlerStack
from samlite.moto_changes.sns_delivery import deliver_subscriptions_to
from tests.samlite.embedded import changed_moto

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture
def changed() -> Iterator[None]:
    with changed_moto():
        yield


def test_moto_no_longer_routes_events_to_targets_itself(changed: None) -> None:
    events, sqs = boto3.client("events", region_name=REGION), boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="target")["QueueUrl"]
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["a"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:target"}])
    answer = events.put_events(Entries=[{"Source": "a", "DetailType": "t", "Detail": "{}"}])
    assert answer["FailedEntryCount"] == 0
    assert "Messages" not in sqs.receive_message(QueueUrl=url), "moto would have sent it"


def test_each_accepted_entry_reaches_the_latest_handler_with_its_event_id(changed: None) -> None:
    events = boto3.client("events", region_name=REGION)
    first: list[str] = []
    second: list[str] = []
    remove_first = route_events_to(lambda backend, entry, event_id: first.append(event_id))
    remove_second = route_events_to(lambda backend, entry, event_id: second.append(event_id))
    entries = [
        {"Source": "a", "DetailType": "t", "Detail": "{}"},
        {"Source": "a", "DetailType": "t"},  # refused by PutEvents (no Detail): not handed over
    ]
    answer = events.put_events(Entries=entries)["Entries"]
    assert second == [answer[0]["EventId"]] and first == []
    remove_second()
    events.put_events(Entries=entries[:1])
    assert len(first) == 1
    remove_first()


def test_sns_deliveries_reach_the_handler_instead_of_the_subscribers(changed: None) -> None:
    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="sub")["QueueUrl"]
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:sub")
    handed: list[tuple[str, str]] = []
    remove = deliver_subscriptions_to(
        lambda published: handed.append((published.message, published.subscription.protocol))
    )
    try:
        sns.publish(TopicArn=topic, Message="m", Subject="s")
    finally:
        remove()
    assert handed == [("m", "sqs")]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_handler_stack_order() -> None:
    stack: HandlerStack = HandlerStack()
    assert stack.current() is None
    remove_a = stack.register(len)
    remove_b = stack.register(str)
    assert stack.current() is str
    remove_a()
    assert stack.current() is str
    remove_b()
    remove_b()  # twice: harmless
    assert stack.current() is None
