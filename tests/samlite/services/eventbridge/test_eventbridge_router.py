"""EventBridge routing against moto in-process, samlite's EventBridge change applied.

Pages (EventBridge User Guide): "Amazon EventBridge events" (the envelope), "Amazon EventBridge
rules" and "Event buses" (which rules see an event), "Event bus targets" (Lambda async, SQS, SNS,
buses), "Transforming target input", "Using dead-letter queues to process undelivered events"
(RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE); EventBridge API reference "PutRule"
(InvalidEventPatternException)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.backends import get_backend

from samlite.events.eventbridge import scheduled_event
from samlite.model import FunctionSpec
from samlite.moto_changes.events_delivery import route_events_to
from samlite.services.awslambda.recursion import ChainTracker
from samlite.services.chaos import Chaos, ChaosPolicy
from samlite.services.eventbridge.router import EventBridgeRouter
from samlite.services.targets import MotoTargets
from tests.samlite.embedded import ACCOUNT, REGION, changed_moto, function_spec

FN = function_spec("handler")
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:handler"


@dataclass
class Setup:
    events: Any
    sqs: Any
    sns: Any
    router: EventBridgeRouter | None = None
    submitted: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def submit(self, spec: FunctionSpec, payload: bytes, **options: Any) -> str:
        self.submitted.append({"spec": spec, "payload": payload.decode(), **options})
        return "r"

    def rule(
        self,
        name: str,
        pattern: dict[str, Any] | None,
        *targets: dict[str, Any],
        bus: str = "default",
        **extra: Any,
    ) -> str:
        arguments: dict[str, Any] = {"Name": name, "EventBusName": bus, **extra}
        if pattern is not None:
            arguments["EventPattern"] = json.dumps(pattern)
        arn = self.events.put_rule(**arguments)["RuleArn"]
        if targets:
            self.events.put_targets(Rule=name, EventBusName=bus, Targets=list(targets))
        return arn

    def put(
        self, detail: dict[str, Any], source: str = "shop", detail_type: str = "Order", **extra: Any
    ) -> str:
        entry = {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), **extra}
        [answer] = self.events.put_events(Entries=[entry])["Entries"]
        return answer["EventId"]

    def queue(self, name: str, **attributes: str) -> tuple[str, str]:
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        return url, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def messages(self, url: str) -> list[dict[str, Any]]:
        return self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])


def make_router(setup: Setup, chaos: Chaos | None = None) -> EventBridgeRouter:
    return EventBridgeRouter(
        backend=lambda service, account, region: get_backend(service)[account][region],
        resolve_function=lambda arn: FN if arn == FN_ARN else None,
        submit=setup.submit,
        send_to_target=MotoTargets(account_id=ACCOUNT, log=setup.logs.append),
        chain=ChainTracker(),
        log=setup.logs.append,
        function_log=lambda logical_id, line: setup.logs.append(f"[{logical_id}] {line}"),
        chaos=chaos,
    )


@pytest.fixture
def setup() -> Iterator[Setup]:
    with changed_moto():
        prepared = Setup(*(boto3.client(name, region_name=REGION) for name in ("events", "sqs", "sns")))
        prepared.router = make_router(prepared)
        remove = route_events_to(prepared.router.on_put_events)
        try:
            yield prepared
        finally:
            remove()


def test_put_events_reaches_a_matching_rules_function_with_the_event_envelope(setup: Setup) -> None:
    """Per "Amazon EventBridge events": version, id, detail-type, source, account, time, region,
    resources, detail; the id is PutEvents' EventId; Lambda is invoked asynchronously."""
    rule = setup.rule("orders", {"source": ["shop"]}, {"Id": "fn", "Arn": FN_ARN})
    event_id = setup.put(
        {"order": 1}, Resources=["arn:aws:shop:::1"], Time=datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    )
    [call] = setup.submitted
    assert (call["spec"], call["source"], call["trigger"], call["depth"]) == (FN, "eventbridge", rule, 1)
    event = json.loads(call["payload"])
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert event == {
        "version": "0",
        "id": event_id,
        "detail-type": "Order",
        "source": "shop",
        "account": ACCOUNT,
        "time": "2024-05-01T12:00:00Z",
        "region": REGION,
        "resources": ["arn:aws:shop:::1"],
        "detail": {"order": 1},
    }


def test_only_matching_enabled_rules_of_the_events_bus_fire(setup: Setup) -> None:
    """Per "Amazon EventBridge rules": a rule sees its bus's events that match its pattern, when enabled."""
    setup.events.create_event_bus(Name="custom")
    setup.rule(
        "on-custom", {"source": ["shop"]}, {"Id": "fn", "Arn": FN_ARN, "Input": '"custom"'}, bus="custom"
    )
    setup.rule("other-source", {"source": ["farm"]}, {"Id": "fn", "Arn": FN_ARN, "Input": '"farm"'})
    setup.rule(
        "disabled", {"source": ["shop"]}, {"Id": "fn", "Arn": FN_ARN, "Input": '"off"'}, State="DISABLED"
    )
    setup.rule("default", {"source": ["shop"]}, {"Id": "fn", "Arn": FN_ARN, "Input": '"default"'})
    setup.put({})
    setup.put({}, EventBusName="custom")
    setup.put({}, EventBusName=f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/custom")
    assert [call["payload"] for call in setup.submitted] == ['"default"', '"custom"', '"custom"']


def test_the_whole_pattern_grammar_applies(setup: Setup) -> None:
    """Per "Comparison operators for use in event patterns": numeric, prefix, $or, anything-but."""
    pattern = {
        "detail": {
            "total": [{"numeric": [">", 100]}],
            "$or": [{"country": [{"prefix": "fr"}]}, {"vip": [True]}],
            "state": [{"anything-but": ["cancelled"]}],
        }
    }
    setup.rule("big", pattern, {"Id": "fn", "Arn": FN_ARN, "InputPath": "$.detail.n"})
    setup.put({"n": 1, "total": 150, "country": "fr-FR", "state": "new"})
    setup.put({"n": 2, "total": 50, "country": "fr-FR", "state": "new"})
    setup.put({"n": 3, "total": 150, "country": "de", "vip": True, "state": "new"})
    setup.put({"n": 4, "total": 150, "country": "de", "state": "new"})
    setup.put({"n": 5, "total": 150, "country": "fr", "state": "cancelled"})
    assert [call["payload"] for call in setup.submitted] == ["1", "3"]


def test_an_invalid_pattern_is_refused_by_put_rule_naming_the_field(setup: Setup) -> None:
    """API reference PutRule: InvalidEventPatternException "Event pattern is not valid"."""
    with pytest.raises(ClientError) as raised:
        setup.rule("bad", {"detail": {"n": [{"numeric": [">", "x"]}]}})
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidEventPatternException"
    assert "Event pattern is not valid. Reason: detail.n: Value of > must be numeric" in error["Message"]


def test_sqs_targets_get_the_input(setup: Setup) -> None:
    """Per "Event bus targets" (SQS) and "Transforming target input"."""
    url, queue = setup.queue("orders")
    setup.rule(
        "to-queue",
        {"source": ["shop"]},
        {
            "Id": "q",
            "Arn": queue,
            "InputTransformer": {"InputPathsMap": {"n": "$.detail.n"}, "InputTemplate": '{"number": <n>}'},
        },
    )
    setup.put({"n": 7})
    assert [m["Body"] for m in setup.messages(url)] == ['{"number":7}']


def test_fifo_queue_targets_take_the_message_group_and_need_content_based_deduplication(setup: Setup) -> None:
    """Per "Event bus targets": "EventBridge ... FIFO queues" need SqsParameters.MessageGroupId and
    content-based deduplication; what cannot be sent goes to the target's DLQ with its attributes."""
    good_url, good = setup.queue("good.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    _, bad = setup.queue("bad.fifo", FifoQueue="true")
    dlq_url, dlq = setup.queue("rule-dlq")
    rule = setup.rule(
        "fifo",
        {"source": ["shop"]},
        {"Id": "good", "Arn": good, "SqsParameters": {"MessageGroupId": "g"}},
        {"Id": "bad", "Arn": bad, "SqsParameters": {"MessageGroupId": "g"}, "DeadLetterConfig": {"Arn": dlq}},
    )
    event_id = setup.put({"n": 1})
    found = setup.sqs.receive_message(QueueUrl=good_url, AttributeNames=["All"])["Messages"]
    assert json.loads(found[0]["Body"])["id"] == event_id and found[0]["Attributes"]["MessageGroupId"] == "g"
    [dead] = setup.messages(dlq_url)
    assert json.loads(dead["Body"])["id"] == event_id
    attributes = {name: value["StringValue"] for name, value in dead["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == rule and attributes["TARGET_ARN"] == bad
    assert (
        attributes["ERROR_CODE"] == "SQS.InvalidParameterValue"
        and "content-based deduplication" in attributes["ERROR_MESSAGE"]
    )


def test_a_missing_function_or_a_payload_lambda_refuses_goes_to_the_dead_letter_queue(setup: Setup) -> None:
    dlq_url, dlq = setup.queue("fn-dlq")
    gone = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gone"
    setup.rule(
        "fail",
        {"source": ["shop"]},
        {"Id": "gone", "Arn": gone, "DeadLetterConfig": {"Arn": dlq}},
        {
            "Id": "text",
            "Arn": FN_ARN,
            "InputTransformer": {"InputTemplate": "not json"},
            "DeadLetterConfig": {"Arn": dlq},
        },
    )
    setup.put({})
    codes = sorted(m["MessageAttributes"]["ERROR_CODE"]["StringValue"] for m in setup.messages(dlq_url))
    assert codes == ["InvalidRequestContentException", "ResourceNotFoundException"]
    assert setup.submitted == []
    assert any(line.startswith("[Handler] samlite: EventBridge event") for line in setup.logs), (
        "in the function's log"
    )


def test_sns_and_event_bus_targets(setup: Setup) -> None:
    """Per "Event bus targets": an SNS topic publishes the input; another bus routes the event again."""
    url, queue = setup.queue("from-topic")
    topic = setup.sns.create_topic(Name="t")["TopicArn"]
    setup.sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"}
    )
    setup.events.create_event_bus(Name="second")
    bus = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/second"
    setup.rule("to-topic", {"source": ["shop"]}, {"Id": "t", "Arn": topic, "InputPath": "$.detail"})
    setup.rule("to-bus", {"source": ["shop"]}, {"Id": "b", "Arn": bus})
    setup.rule("on-second", {"source": ["shop"]}, {"Id": "fn", "Arn": FN_ARN}, bus="second")
    event_id = setup.put({"n": 1})
    assert [m["Body"] for m in setup.messages(url)] == ['{"n": 1}']
    [call] = setup.submitted
    assert json.loads(call["payload"])["id"] == event_id and call["depth"] == 2


def test_targets_samlite_does_not_emulate_are_said_once(setup: Setup) -> None:
    setup.rule("ecs", {"source": ["shop"]}, {"Id": "e", "Arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/c"})
    setup.put({})
    setup.put({})
    assert len([line for line in setup.logs if "is not emulated" in line]) == 1


def test_a_state_machine_that_does_not_exist_fails_the_delivery_with_a_line(setup: Setup) -> None:
    """A Step Functions target that cannot start an execution is a failed delivery, with its reason (and
    the target's DeadLetterConfig, as for any target: "Using dead-letter queues to process undelivered
    events in EventBridge")."""
    missing = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:missing"
    setup.rule("sfn", {"source": ["shop"]}, {"Id": "s", "Arn": missing})
    setup.put({})
    [line] = [line for line in setup.logs if "could not be delivered" in line]
    assert missing in line and "is not emulated" not in "".join(setup.logs)


def test_a_scheduled_rule_fires_its_targets_with_the_scheduled_event(setup: Setup) -> None:
    """Per "Creating a rule that runs on a schedule": detail-type "Scheduled Event", source aws.events."""
    assert setup.router is not None
    arn = setup.rule("tick", None, {"Id": "fn", "Arn": FN_ARN}, ScheduleExpression="rate(5 minutes)")
    rule = get_backend("events")[ACCOUNT][REGION].event_buses["default"].rules["tick"]
    setup.put({}, source="anything")  # a schedule rule has no pattern: PutEvents never reaches it
    assert setup.submitted == []
    setup.router.fire_rule(
        rule, scheduled_event(arn, time=datetime(2024, 1, 1, tzinfo=UTC)), source="schedule"
    )
    [call] = setup.submitted
    event = json.loads(call["payload"])
    assert (event["detail-type"], event["source"], event["resources"], event["detail"]) == (
        "Scheduled Event",
        "aws.events",
        [arn],
        {},
    )
    assert event["time"] == "2024-01-01T00:00:00Z" and call["source"] == "schedule"


def test_chaos_may_deliver_an_event_twice(setup: Setup) -> None:
    chaos = Chaos(ChaosPolicy(duplicate=1.0, seed=3), log=setup.logs.append)
    remove = route_events_to(make_router(setup, chaos).on_put_events)
    try:
        setup.rule("orders", {"source": ["shop"]}, {"Id": "fn", "Arn": FN_ARN})
        setup.put({})
        assert chaos.wait_idle(5)
    finally:
        remove()
        chaos.close()
    assert len(setup.submitted) == 2 and setup.submitted[0]["payload"] == setup.submitted[1]["payload"]
