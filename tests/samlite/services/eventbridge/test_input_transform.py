"""Target input per "Transforming Amazon EventBridge target input" (EventBridge User Guide) and the
`Target` type of the EventBridge API reference (Input, InputPath, InputTransformer)."""

from __future__ import annotations

import json
import re

import pytest

from samlite.services.eventbridge.input_transform import (
    _MISSING,
    InputTransformError,
    RuleContext,
    check_target_input,
    json_path,
    target_input,
)

EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "items": [{"n": 1}, {"n": 2}]},
}
CONTEXT = RuleContext("arn:aws:events:us-east-2:123456789012:rule/example", "example", "2015-11-11T21:29:55Z")
PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}


def transformed(template: str, paths: dict[str, str] | None = None) -> str:
    target = {
        "Id": "t",
        "Arn": "x",
        "InputTransformer": {"InputPathsMap": paths or PATHS, "InputTemplate": template},
    }
    return target_input(target, EVENT, CONTEXT)


def test_without_an_input_setting_the_target_gets_the_event() -> None:
    assert json.loads(target_input({"Id": "t"}, EVENT, CONTEXT)) == EVENT


def test_input_is_a_constant() -> None:
    """API reference, Target.Input: "Valid JSON text passed to the target ... the event is not passed"."""
    assert target_input({"Input": '{"a": 1}'}, EVENT, CONTEXT) == '{"a": 1}'


def test_input_path_selects_part_of_the_event() -> None:
    """API reference, Target.InputPath: "The value of the JSONPath that is used for extracting part of the
    matched event"."""
    assert json.loads(target_input({"InputPath": "$.detail"}, EVENT, CONTEXT)) == EVENT["detail"]
    assert json.loads(target_input({"InputPath": "$.detail.items[1].n"}, EVENT, CONTEXT)) == 2
    assert json.loads(target_input({"InputPath": "$['detail']['state']"}, EVENT, CONTEXT)) == "RUNNING"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
        ('{"instance" : <instance>, "state": <state>}', '{"instance":"i-0123456789","state":"RUNNING"}'),
        (
            '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
            '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
        ),
        (
            '{"instanceStatus": "instance \\"<instance>\\" is in <state>"}',
            '{"instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}',
        ),
        ('"<aws.events.rule-name> triggered"', '"example triggered"'),
    ],
)
def test_the_documented_input_template_examples(template: str, expected: str) -> None:
    """Per "Transforming target input", "Input Transform Examples": variables outside quotes are JSON
    values, inside a string their text; JSON output is minified."""
    assert transformed(template) == expected


def test_reserved_variables() -> None:
    """Per "Predefined variables": rule ARN and name, the event, its ingestion time, its JSON text."""
    out = json.loads(
        transformed(
            '{"arn": <aws.events.rule-arn>, "name": <aws.events.rule-name>, "event": <aws.events.event>, '
            '"at": <aws.events.event.ingestion-time>, "raw": <aws.events.event.json>}'
        )
    )
    assert out["arn"] == CONTEXT.rule_arn and out["name"] == "example" and out["event"] == EVENT
    assert out["at"] == CONTEXT.ingestion_time and json.loads(out["raw"]) == EVENT


def test_a_path_missing_from_the_event_defines_no_variable() -> None:
    """Per "Common Issues": "If you specify a variable to match a JSON path that doesn't exist in the event,
    that variable isn't created and won't appear in the output"."""
    assert (
        transformed('{"a": <gone>, "b": "x<gone>y"}', {"gone": "$.detail.nothing"}) == '{"a":null,"b":"xy"}'
    )


def test_a_template_that_is_not_json_is_passed_as_text() -> None:
    """The CloudWatch log group example: a template that is not JSON is not minified."""
    assert transformed("instance <instance> is <state>!") == 'instance "i-0123456789" is "RUNNING"!'


def test_angle_brackets_that_are_not_variables_stay() -> None:
    assert transformed('"a <b> c"') == '"a <b> c"'


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ({"Id": "t", "Input": "{}", "InputPath": "$"}, "only one of Input, InputPath"),
        ({"Id": "t", "InputPath": "detail"}, "must start with $"),
        ({"Id": "t", "InputPath": "$.a[*]"}, "cannot read it"),
        ({"Id": "t", "InputTransformer": {"InputPathsMap": {}}}, "needs an InputTemplate"),
        (
            {
                "Id": "t",
                "InputTransformer": {"InputPathsMap": {"aws.events.event": "$"}, "InputTemplate": "x"},
            },
            "reserved",
        ),
        (
            {
                "Id": "t",
                "InputTransformer": {
                    "InputPathsMap": {f"v{i}": "$" for i in range(101)},
                    "InputTemplate": "x",
                },
            },
            "at most 100",
        ),
    ],
)
def test_invalid_input_settings_are_refused(target: dict, problem: str) -> None:
    """PutTargets refuses these ("up to 100 variables", reserved names, one input setting per target)."""
    with pytest.raises(InputTransformError, match=re.escape(problem)):
        check_target_input(target)


def test_json_path_missing_and_present() -> None:
    assert json_path({"a": {"b": [1]}}, "$.a.b[0]") == 1
    assert json_path({"a": 1}, "$") == {"a": 1}
    assert json_path({"a": 1}, "$.b") is _MISSING
