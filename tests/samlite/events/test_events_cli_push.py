"""`samlite generate-event sns | eventbridge | schedule` through the real `samlite.cli.main`: the
shapes of "Using Lambda with Amazon SNS", "Amazon EventBridge events" and "Creating a rule that runs
on a schedule", built by the same code the local cloud delivers with."""

from __future__ import annotations

import json

import pytest

import samlite.cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert samlite.cli.main(["generate-event", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_sns(capsys: pytest.CaptureFixture[str]) -> None:
    event = run(
        capsys,
        "sns",
        "--message",
        '{"id": 1}',
        "--subject",
        "s",
        "--attribute",
        "color=red",
        "--number-attribute",
        "size=3",
        "--topic-arn",
        "arn:aws:sns:eu-west-1:111122223333:orders",
    )
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventSubscriptionArn"].startswith("arn:aws:sns:eu-west-1:111122223333:orders:")
    sns = record["Sns"]
    assert (sns["Message"], sns["Subject"], sns["TopicArn"]) == (
        '{"id": 1}',
        "s",
        "arn:aws:sns:eu-west-1:111122223333:orders",
    )
    assert sns["MessageAttributes"] == {
        "color": {"Type": "String", "Value": "red"},
        "size": {"Type": "Number", "Value": "3"},
    }


def test_sns_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    sns = run(capsys, "sns")["Records"][0]["Sns"]
    assert sns["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:topic" and sns["Subject"] is None


def test_eventbridge(capsys: pytest.CaptureFixture[str]) -> None:
    event = run(
        capsys,
        "eventbridge",
        "--source",
        "shop",
        "--detail-type",
        "Order Placed",
        "--detail",
        '{"id": 7}',
        "--resource",
        "arn:aws:shop:::7",
        "--time",
        "2024-05-01T12:00:00Z",
        "--region",
        "eu-west-1",
    )
    assert {
        key: event[key] for key in ("source", "detail-type", "detail", "resources", "time", "region")
    } == {
        "source": "shop",
        "detail-type": "Order Placed",
        "detail": {"id": 7},
        "resources": ["arn:aws:shop:::7"],
        "time": "2024-05-01T12:00:00Z",
        "region": "eu-west-1",
    }


def test_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    event = run(capsys, "schedule", "--rule", "nightly", "--account", "111122223333")
    assert (event["detail-type"], event["source"], event["detail"]) == ("Scheduled Event", "aws.events", {})
    assert event["resources"] == ["arn:aws:events:us-east-1:111122223333:rule/nightly"]


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["sns", "--attribute", "color"], "'color' must be NAME=VALUE"),
        (["sns", "--number-attribute", "n=many"], "'many' is not a number"),
        (["eventbridge", "--detail", "{oops"], "--detail is not JSON"),
        (["schedule", "--time", "yesterday"], "'yesterday' is not an ISO 8601 time"),
    ],
)
def test_bad_arguments_name_the_option(
    capsys: pytest.CaptureFixture[str], argv: list[str], problem: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        samlite.cli.main(["generate-event", *argv])
    assert raised.value.code == 2
    assert problem in capsys.readouterr().err
