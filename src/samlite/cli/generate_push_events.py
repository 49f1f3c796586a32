"""`samlite generate-event sns | eventbridge | schedule`: the pushed triggers' events, in AWS's shapes.

    samlite generate-event sns --message '{"id": 1}' [--subject S] [--attribute color=red]
                               [--number-attribute size=3] [--topic-arn ARN]
    samlite generate-event eventbridge --source shop --detail-type "Order Placed" --detail '{"id": 1}'
                               [--resource ARN ...] [--time 2024-05-01T12:00:00Z]
    samlite generate-event schedule [--rule nightly | --rule-arn ARN]

The same builders (`samlite.events.sns`, `samlite.events.eventbridge`) make the events the local cloud
delivers, so what `samlite invoke -e -` replays is what the function gets under `samlite start`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from samlite.events.eventbridge import eventbridge_event, scheduled_event
from samlite.events.sns import SnsMessage, sns_lambda_event, subscription_arn

DEFAULT_ACCOUNT = "123456789012"


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{text!r} must be NAME=VALUE")
    return name, value


def _number_pair(text: str) -> tuple[str, str]:
    name, value = _pair(text)
    try:
        float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: {value!r} is not a number") from None
    return name, value


def _json_object(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--detail is not JSON: {error}") from None


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time such as 2024-05-01T12:00:00Z"
        ) from None


def _print(event: dict[str, Any]) -> int:
    json.dump(event, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _run_sns(args: argparse.Namespace) -> int:
    attributes = {name: {"Type": "String", "Value": value} for name, value in args.attribute}
    attributes.update({name: {"Type": "Number", "Value": value} for name, value in args.number_attribute})
    message = SnsMessage(
        topic_arn=args.topic_arn or f"arn:aws:sns:{args.region}:{DEFAULT_ACCOUNT}:topic",
        message=args.message,
        subject=args.subject,
        message_attributes=attributes,
    )
    return _print(sns_lambda_event(message, subscription_arn(message.topic_arn)))


def _run_eventbridge(args: argparse.Namespace) -> int:
    return _print(
        eventbridge_event(
            source=args.source,
            detail_type=args.detail_type,
            detail=args.detail,
            account=args.account,
            region=args.region,
            resources=args.resource,
            time=args.time,
        )
    )


def _run_schedule(args: argparse.Namespace) -> int:
    rule_arn = args.rule_arn or f"arn:aws:events:{args.region}:{args.account}:rule/{args.rule}"
    if len(rule_arn.split(":")) < 6:
        print(f"samlite generate-event schedule: {rule_arn!r} is not a rule ARN", file=sys.stderr)
        return 2
    return _print(scheduled_event(rule_arn, time=args.time))


def register_push(services: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the sns, eventbridge and schedule sub-commands to `generate-event`."""
    sns = services.add_parser("sns", help="an SNS notification, as a subscribed function receives it")
    sns.add_argument("--message", default="Hello from SNS!", help="the message text")
    sns.add_argument("--subject", help="the subject (none by default)")
    sns.add_argument("--topic-arn", help="the topic (default: arn:aws:sns:REGION:123456789012:topic)")
    _repeat(sns, "--attribute", _pair, "a String message attribute")
    _repeat(sns, "--number-attribute", _number_pair, "a Number message attribute")
    sns.add_argument("--region", default="us-east-1", help="region of the default topic")
    sns.set_defaults(run=_run_sns)

    bridge = services.add_parser("eventbridge", help="an EventBridge event, as a rule's target receives it")
    bridge.add_argument("--source", default="my.app", help="the event's source (default my.app)")
    bridge.add_argument("--detail-type", default="Something Happened", help="the event's detail-type")
    bridge.add_argument("--detail", type=_json_object, default={}, help="the event's detail, JSON")
    _repeat(bridge, "--resource", str, "a resource ARN")
    _common(bridge)
    bridge.set_defaults(run=_run_eventbridge)

    schedule = services.add_parser("schedule", help="the Scheduled Event a schedule rule's target receives")
    which = schedule.add_mutually_exclusive_group()
    which.add_argument("--rule", default="my-schedule", help="the rule's name (default my-schedule)")
    which.add_argument("--rule-arn", help="the rule's ARN")
    _common(schedule)
    schedule.set_defaults(run=_run_schedule)


def _repeat(parser: argparse.ArgumentParser, flag: str, kind: Callable[[str], Any], what: str) -> None:
    parser.add_argument(
        flag,
        action="append",
        type=kind,
        default=[],
        metavar="NAME=VALUE" if kind is not str else "ARN",
        help=f"{what} (repeatable)",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account", default=DEFAULT_ACCOUNT, help=f"account id (default {DEFAULT_ACCOUNT})")
    parser.add_argument("--region", default="us-east-1", help="region (default us-east-1)")
    parser.add_argument("--time", type=_moment, help="the event's time, ISO 8601 (default: now)")
