"""Provisioning SNS subscriptions, EventBridge buses and rules, and Scheduler schedules from templates.

What CloudFormation would refuse fails here naming the resource and property ("AWS::Events::Rule",
"AWS::SNS::Subscription", "AWS::Scheduler::Schedule" in the CloudFormation resource reference; the
EventBridge PutRule / PutTargets and Scheduler CreateSchedule API references)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from samlite.errors import ProvisionError
from samlite.provisioning.provision import provision
from samlite.provisioning.reset import remove_resources
from samlite.template import load_stack
from tests.samlite.embedded import Endpoint, running_endpoint, unique, write_project


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with running_endpoint(iam=True) as running:
        yield running


def deploy(endpoint: Endpoint, tmp_path: Path, resources: str) -> Any:
    text = 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\nResources:\n'
    path = write_project(tmp_path, text + resources)
    stack = load_stack(path, stack_name=unique("push"), endpoint_url=endpoint.aws.url)
    return stack, provision(endpoint.aws, stack, endpoint.services)


TARGET = '{Arn: "arn:aws:sqs:us-east-1:123456789012:q", RoleArn: "arn:aws:iam::123456789012:role/r"}'


def resources(*blocks: str) -> str:
    """The blocks as the template's Resources (`{target}` is a Scheduler target)."""
    text = "".join(textwrap.dedent(block).strip("\n") + "\n" for block in blocks)
    return textwrap.indent(text.replace("{target}", TARGET), "  ")


def test_sam_events_become_subscriptions_rules_and_schedules(endpoint: Endpoint, tmp_path: Path) -> None:
    stack, result = deploy(
        endpoint,
        tmp_path,
        resources(
            """
            Topic:
              Type: AWS::SNS::Topic
            Bus:
              Type: AWS::Events::EventBus
              Properties:
                Name: !Sub "${AWS::StackName}-bus"
            Fn:
              Type: AWS::Serverless::Function
              Properties:
                CodeUri: src/
                Handler: app.handler
                Runtime: python3.11
                Events:
                  FromTopic:
                    Type: SNS
                    Properties:
                      Topic: !Ref Topic
                      FilterPolicy: {color: [red]}
                  FromBus:
                    Type: EventBridgeRule
                    Properties:
                      EventBusName: !Ref Bus
                      Pattern: {source: [shop]}
                  Nightly:
                    Type: Schedule
                    Properties:
                      Schedule: cron(0 3 * * ? *)
                      Enabled: false
                  Morning:
                    Type: ScheduleV2
                    Properties:
                      ScheduleExpression: rate(1 hour)
                      StartDate: "2030-01-01T00:00:00Z"
            """
        ),
    )
    assert result.unsupported == []
    aws = endpoint.aws
    subscription = stack.resources["FnFromTopic"].ref
    found = aws.backend("sns").subscriptions[subscription]
    assert found.protocol == "lambda" and found.endpoint == result.function_arns["Fn"]
    assert json.loads(found.attributes["FilterPolicy"]) == {"color": ["red"]}
    assert found.attributes["FilterPolicyScope"] == "MessageAttributes"
    bus = stack.resources["Bus"].ref
    rules = aws.backend("events").event_buses[bus].rules
    rule = rules[stack.resources["FnFromBus"].ref]
    assert rule.arn == stack.resources["FnFromBus"].attributes["Arn"], (
        "a custom bus's rule ARN: rule/BUS/NAME"
    )
    assert [target["Arn"] for target in rule.targets] == [result.function_arns["Fn"]]
    nightly = aws.backend("events").event_buses["default"].rules[stack.resources["FnNightly"].ref]
    assert (nightly.scheduled_expression, nightly.state) == ("cron(0 3 * * ? *)", "DISABLED")
    schedule = aws.backend("scheduler").schedule_groups["default"].schedules["FnMorning"]
    assert schedule.arn == stack.resources["FnMorning"].attributes["Arn"]
    assert schedule.start_date == 1893456000.0
    remove_resources(aws, stack.resources.values())
    assert subscription not in aws.backend("sns").subscriptions
    assert bus not in aws.backend("events").event_buses
    assert "FnMorning" not in aws.backend("scheduler").schedule_groups["default"].schedules


def test_a_raw_sqs_subscription_with_a_redrive_policy(endpoint: Endpoint, tmp_path: Path) -> None:
    stack, _ = deploy(
        endpoint,
        tmp_path,
        resources(
            """
            Topic:
              Type: AWS::SNS::Topic
            Queue:
              Type: AWS::SQS::Queue
            Dead:
              Type: AWS::SQS::Queue
            Sub:
              Type: AWS::SNS::Subscription
              Properties:
                TopicArn: !Ref Topic
                Protocol: sqs
                Endpoint: !GetAtt Queue.Arn
                RawMessageDelivery: true
                FilterPolicyScope: MessageBody
                FilterPolicy: {order: {total: [{numeric: [">", 1]}]}}
                RedrivePolicy: {deadLetterTargetArn: !GetAtt Dead.Arn}
            """
        ),
    )
    sub = endpoint.aws.backend("sns").subscriptions[stack.resources["Sub"].ref]
    assert sub.arn.startswith(stack.resources["Topic"].ref + ":")
    assert sub.attributes["RawMessageDelivery"] == "true"
    assert sub.attributes["FilterPolicyScope"] == "MessageBody"
    assert json.loads(sub.attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": stack.resources["Dead"].attributes["Arn"]
    }


def test_a_topics_inline_subscriptions(endpoint: Endpoint, tmp_path: Path) -> None:
    """Per "AWS::SNS::Topic Subscription": Endpoint and Protocol, subscribed with the topic."""
    stack, _ = deploy(
        endpoint,
        tmp_path,
        resources(
            """
            Queue:
              Type: AWS::SQS::Queue
            Topic:
              Type: AWS::SNS::Topic
              Properties:
                Subscription:
                  - {Protocol: sqs, Endpoint: !GetAtt Queue.Arn}
            """
        ),
    )
    topic = stack.resources["Topic"].ref
    found = [s for s in endpoint.aws.backend("sns").subscriptions.values() if s.topic.arn == topic]
    assert [(s.protocol, s.endpoint) for s in found] == [("sqs", stack.resources["Queue"].attributes["Arn"])]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            """
            Rule:
              Type: AWS::Events::Rule
              Properties:
                EventPattern: {detail: {n: [{numeric: [">", "x"]}]}}
            """,
            "Rule (AWS::Events::Rule): property 'EventPattern': event pattern: field 'detail.n': "
            "Value of > must be numeric",
        ),
        (
            """
            Rule:
              Type: AWS::Events::Rule
              Properties:
                ScheduleExpression: rate(1 minutes)
            """,
            "Rule (AWS::Events::Rule): property 'ScheduleExpression': rate(1 minutes): write rate(1 minute)",
        ),
        (
            """
            Rule:
              Type: AWS::Events::Rule
              Properties:
                Description: neither
            """,
            "Rule (AWS::Events::Rule): give an 'EventPattern' or a 'ScheduleExpression'",
        ),
        (
            """
            Rule:
              Type: AWS::Events::Rule
              Properties:
                EventBusName: custom
                ScheduleExpression: rate(5 minutes)
            """,
            "property 'ScheduleExpression': only rules of the default bus have one",
        ),
        (
            """
            Rule:
              Type: AWS::Events::Rule
              Properties:
                EventPattern: {source: [a]}
                State: PAUSED
            """,
            "property 'State': 'PAUSED' is not one of",
        ),
        (
            """
            Rule:
              Type: AWS::Events::Rule
              Properties:
                EventPattern: {source: [a]}
                Targets:
                  - {Id: t, Arn: "arn:aws:sqs:us-east-1:123456789012:q", Input: "{}", InputPath: "$.detail"}
            """,
            "property 'Targets[0]': target 't': only one of Input, InputPath may be set",
        ),
        (
            """
            Sub:
              Type: AWS::SNS::Subscription
              Properties:
                TopicArn: arn:aws:sns:us-east-1:123456789012:t
                Protocol: sqs
                Endpoint: arn:aws:sqs:us-east-1:123456789012:q
                FilterPolicy: {color: [{wildcard: "r*"}]}
            """,
            "Sub (AWS::SNS::Subscription): property 'FilterPolicy': FilterPolicy key 'color': "
            "SNS filter policies have no wildcard",
        ),
        (
            """
            Topic:
              Type: AWS::SNS::Topic
              Properties:
                Subscription:
                  - {Protocol: fax, Endpoint: "+1555"}
            """,
            "Topic (AWS::SNS::Topic): property 'Subscription[0]': needs an Endpoint and one of the SNS",
        ),
        (
            """
            Sub:
              Type: AWS::SNS::Subscription
              Properties:
                TopicArn: arn:aws:sns:us-east-1:123456789012:t
                Protocol: carrier-pigeon
            """,
            "Sub (AWS::SNS::Subscription): property 'Protocol': 'carrier-pigeon' is not an SNS protocol",
        ),
        (
            """
            Schedule:
              Type: AWS::Scheduler::Schedule
              Properties:
                ScheduleExpression: cron(0 9 * * MON *)
                FlexibleTimeWindow: {Mode: "OFF"}
                Target: {target}
            """,
            "Schedule (AWS::Scheduler::Schedule): property 'ScheduleExpression': "
            "cron(0 9 * * MON *): exactly one",
        ),
        (
            """
            Schedule:
              Type: AWS::Scheduler::Schedule
              Properties:
                ScheduleExpression: rate(1 hour)
                ScheduleExpressionTimezone: Europe/Atlantis
                FlexibleTimeWindow: {Mode: "OFF"}
                Target: {target}
            """,
            "property 'ScheduleExpressionTimezone': ScheduleExpressionTimezone 'Europe/Atlantis'",
        ),
        (
            """
            Schedule:
              Type: AWS::Scheduler::Schedule
              Properties:
                ScheduleExpression: rate(1 hour)
                FlexibleTimeWindow: {Mode: FLEXIBLE}
                Target: {target}
            """,
            "property 'FlexibleTimeWindow.MaximumWindowInMinutes': a FLEXIBLE window needs 1 to 1440 minutes",
        ),
        (
            """
            Schedule:
              Type: AWS::Scheduler::Schedule
              Properties:
                ScheduleExpression: rate(1 hour)
                FlexibleTimeWindow: {Mode: "OFF"}
                StartDate: next tuesday
                Target: {target}
            """,
            "property 'StartDate': 'next tuesday' is not an ISO 8601 date and time",
        ),
    ],
)
def test_what_aws_refuses_fails_naming_resource_and_property(
    endpoint: Endpoint, tmp_path: Path, block: str, message: str
) -> None:
    with pytest.raises(ProvisionError) as raised:
        deploy(endpoint, tmp_path, resources(block))
    assert message in str(raised.value)
