"""Templates CloudFormation or Lambda would refuse are refused at load, with the resource and property.

The rules and where AWS documents them:
- "Understand CloudFormation quotas" (AWS CloudFormation User Guide): at most 500 resources per template;
- "Template anatomy / Resources": logical ids are alphanumeric and unique; CloudFormation answers
  "Template format error: Unrecognized resource types", "Unresolved resource dependencies" and
  "Circular dependency between resources" to the others below;
- AWS Lambda API Reference, CreateFunction: Timeout 1-900 s, MemorySize 128-10,240 MB, Handler of at
  most 128 characters; a Python handler is module.function ("Define Lambda function handler in Python").
"""

from __future__ import annotations

import json
import time

import pytest

from samlite.errors import TemplateError
from samlite.template import load_stack
from samlite.template.yaml_loader import MAX_EXPANDED_NODES

FUNCTION = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: {handler}
      Timeout: {timeout}
      MemorySize: {memory}
"""


def _refused(write_template, text: str, name: str = "template.yaml") -> str:
    with pytest.raises(TemplateError) as raised:
        load_stack(write_template(text, name))
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_an_unknown_resource_type_is_refused(write_template) -> None:
    message = _refused(write_template, "Resources:\n  Thing:\n    Type: AWS::Nope::Thing\n")
    assert message.startswith("Resource 'Thing' property 'Type': AWS::Nope::Thing is not a resource type")
    assert "Unrecognized resource types" in message


def test_types_aws_does_not_own_are_left_alone(write_template) -> None:
    text = """\
    Resources:
      Mine:
        Type: Custom::Provisioner
        Properties: {ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:p}
      Partner:
        Type: Acme::Widgets::Widget
      Known:
        Type: AWS::S3::Bucket
    """
    stack = load_stack(write_template(text))
    assert {resource.type for resource in stack.resources.values()} >= {
        "Custom::Provisioner",
        "AWS::S3::Bucket",
    }


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        (
            "  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n"
            "  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n",
            "Resource 'A' property 'DependsOn': circular dependency between resources A -> B -> A",
        ),
        (
            "  A:\n    Type: AWS::SQS::Queue\n    DependsOn: [A]\n",
            "Resource 'A' property 'DependsOn': circular dependency between resources A -> A",
        ),
        (
            "  A:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Sub '${B.TopicName}-a'}\n"
            "  B:\n    Type: AWS::SNS::Topic\n    DependsOn: A\n",
            "Resource 'A' property 'TopicName': circular dependency between resources A -> B -> A",
        ),
        (
            "  A:\n    Type: AWS::SQS::Queue\n    DependsOn: Missing\n",
            "Resource 'A' property 'DependsOn': names 'Missing', which the template does not declare",
        ),
        (
            "  A:\n    Type: AWS::SQS::Queue\n    DependsOn: {B: 1}\n",
            "Resource 'A' property 'DependsOn': must be",
        ),
        (
            "  my-queue:\n    Type: AWS::SQS::Queue\n",
            "Resource 'my-queue': a logical id must be alphanumeric",
        ),
    ],
    ids=["two", "self", "through-sub", "unresolved", "not-a-name", "non-alphanumeric-id"],
)
def test_dependency_problems_are_refused(write_template, resources: str, message: str) -> None:
    assert _refused(write_template, "Resources:\n" + resources).startswith(message)


def test_a_branch_its_condition_does_not_take_is_no_dependency(write_template) -> None:
    text = """\
    Conditions:
      Never: !Equals [a, b]
    Resources:
      A:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !If [Never, !GetAtt B.TopicName, plain]
      B:
        Type: AWS::SNS::Topic
        DependsOn: A
    """
    assert set(load_stack(write_template(text)).resources) == {"A", "B"}


def test_a_duplicate_logical_id_is_refused_in_yaml(write_template) -> None:
    text = (
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Queue:\n    Type: AWS::SQS::Queue\n"
        "  Bucket:\n    Type: AWS::SNS::Topic\n"
    )
    message = _refused(write_template, text)
    assert "line 6: duplicate logical id 'Bucket' in Resources (first at line 2)" in message


def test_a_duplicate_property_is_refused_with_its_resource(write_template) -> None:
    text = (
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n"
        "      QueueName: a\n      QueueName: b\n"
    )
    message = _refused(write_template, text)
    assert "line 6: Resource 'Queue': duplicate key 'QueueName' in Properties (first at line 5)" in message


def test_a_duplicate_logical_id_is_refused_in_json(write_template) -> None:
    text = '{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Bucket": {"Type": "AWS::SNS::Topic"}}}'
    message = _refused(write_template, text, "template.json")
    assert message.endswith(
        "template.json: duplicate logical id 'Bucket' in Resources: CloudFormation refuses a template with "
        "duplicate keys, and JSON would keep only the last"
    )


def test_yaml_merge_keys_and_moderate_aliases_are_fine(write_template) -> None:
    text = """\
    Metadata:
      Base: &tags {Team: data}
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          Tags: [{Key: team, Value: data}]
      Topic:
        Type: AWS::SNS::Topic
        Metadata:
          <<: *tags
          Team: override
    """
    assert set(load_stack(write_template(text)).resources) == {"Queue", "Topic"}


@pytest.mark.timeout(60)
def test_a_yaml_alias_bomb_is_refused_without_expanding_it(write_template) -> None:
    lines = ["Metadata:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    lines += ["Resources:", "  Bucket:", "    Type: AWS::S3::Bucket", "    Metadata: {Lots: *a11}"]
    message = _refused(write_template, "\n".join(lines) + "\n")
    assert f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes" in message


def test_more_resources_than_cloudformations_quota_are_refused(write_template) -> None:
    resources = {f"Queue{index}": {"Type": "AWS::SQS::Queue"} for index in range(3000)}
    started = time.monotonic()
    message = _refused(write_template, json.dumps({"Resources": resources}), "template.json")
    assert "declares 3000 resources, over CloudFormation's quota of 500 per template" in message
    assert time.monotonic() - started < 30  # refused before anything is translated (a hang guard)


def test_the_quota_counts_what_sam_expands(write_template) -> None:
    functions = {
        f"Fn{index}": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.handler"}}
        for index in range(260)  # each is a function and its role: 520 resources
    }
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Function": {"Runtime": "python3.12", "CodeUri": "src/"}},
        "Resources": functions,
    }
    message = _refused(write_template, json.dumps(template), "template.json")
    assert "declares 520 resources once SAM's transform has expanded it" in message


@pytest.mark.parametrize(
    ("handler", "timeout", "memory", "message"),
    [
        (
            "app.handler",
            100000,
            128,
            "Resource 'Fn' property 'Timeout': 100000 is outside Lambda's range of 1 to 900",
        ),
        ("app.handler", 0, 128, "Resource 'Fn' property 'Timeout': 0 is outside"),
        (
            "app.handler",
            3,
            1,
            "Resource 'Fn' property 'MemorySize': 1 is outside Lambda's range of 128 to 10240 MB",
        ),
        ("app.handler", 3, 10241, "Resource 'Fn' property 'MemorySize': 10241 is outside"),
        ("nodots", 3, 128, "Resource 'Fn' property 'Handler': 'nodots' is not module.function"),
        (".handler", 3, 128, "Resource 'Fn' property 'Handler': '.handler' is not module.function"),
        ("app.", 3, 128, "Resource 'Fn' property 'Handler': 'app.' is not module.function"),
        ("a" * 121 + ".handler", 3, 128, "Resource 'Fn' property 'Handler': 'aaaa"),
    ],
    ids=[
        "timeout-high",
        "timeout-zero",
        "memory-low",
        "memory-high",
        "nodots",
        "no-module",
        "no-function",
        "long",
    ],
)
def test_function_properties_lambda_refuses(write_template, handler, timeout, memory, message) -> None:
    text = FUNCTION.format(handler=handler, timeout=timeout, memory=memory)
    assert _refused(write_template, text).startswith(message)


def test_the_limits_themselves_are_accepted(write_template) -> None:
    for timeout, memory in ((1, 128), (900, 10240)):
        spec = load_stack(
            write_template(FUNCTION.format(handler="app.handler", timeout=timeout, memory=memory))
        )
        assert (spec.function("Fn").timeout, spec.function("Fn").memory_size) == (timeout, memory)
