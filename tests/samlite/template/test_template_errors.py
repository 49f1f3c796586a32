"""Bad templates: every error names the resource (or output/condition/parameter) and the property."""

from __future__ import annotations

import pytest

from samlite.errors import UnsupportedError
from samlite.template import TemplateError, load_stack

HEADER = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Names: {Type: CommaDelimitedList, Default: "a,b"}
Conditions:
  Never: !Equals [a, b]
Mappings:
  M:
    top: {second: value}
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Skipped:
    Type: AWS::SQS::Queue
    Condition: Never
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          VALUE: {value}
"""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "!GetAtt Queue.Nope",
            r"Resource 'Fn' property 'Environment.Variables.VALUE': Resource 'Queue' \(AWS::SQS::Queue\): "
            r"unknown attribute 'Nope' for Fn::GetAtt \(available: Arn, QueueName, QueueUrl\)",
        ),
        (
            "!Ref Missing",
            r"Resource 'Fn' property 'Environment.Variables.VALUE': refers to unknown resource "
            r"or parameter 'Missing'",
        ),
        (
            "!Ref Skipped",
            r"'Environment.Variables.VALUE': refers to resource 'Skipped', which is not created",
        ),
        ("!Sub '${Missing.Arn}'", r"'Environment.Variables.VALUE': refers to unknown resource or parameter"),
        (
            "!Cidr [10.0.0.0/16, 2, 8]",
            r"'Environment.Variables.VALUE': intrinsic function Fn::Cidr is not "
            r"supported by samlite",
        ),
        ("{'Fn::Bogus': 1}", r"'Environment.Variables.VALUE': intrinsic function Fn::Bogus is not supported"),
        ("!Select [5, !Ref Names]", r"'Environment.Variables.VALUE': Fn::Select index '5' is out of range"),
        (
            "!FindInMap [M, top, nope]",
            r"'Environment.Variables.VALUE': Fn::FindInMap: mapping 'M' has no "
            r"key 'top' -> 'nope'",
        ),
        ("!FindInMap [Nope, top, second]", r"Fn::FindInMap: unknown mapping 'Nope' \(defined: 'M'\)"),
        (
            "!If [Undefined, a, b]",
            r"'Environment.Variables.VALUE': unknown condition 'Undefined' "
            r"\(defined: 'Never'\)",
        ),
        ("!Sub '${Names}'", r"Fn::Sub '\$\{Names\}' is a list"),
        ("!Join [',', notalist]", r"the Fn::Join values must be a list"),
        ("!Ref AWS::Nope", r"unknown pseudo parameter 'AWS::Nope'"),
        (
            "[1, 2]",
            r"Resource 'Fn' property 'Environment.Variables.VALUE': an environment variable value must",
        ),
    ],
)
def test_intrinsic_errors_name_resource_and_property(write_template, value: str, message: str) -> None:
    path = write_template(HEADER.replace("{value}", value))
    with pytest.raises(TemplateError, match=message):
        load_stack(path)


def test_find_in_map_default_value(write_template) -> None:
    path = write_template(HEADER.replace("{value}", "!FindInMap [M, top, nope, {DefaultValue: fallback}]"))
    assert load_stack(path).function("Fn").environment["VALUE"] == "fallback"


def test_getatt_on_unmodelled_type_is_a_placeholder_with_warning(write_template) -> None:
    text = (
        HEADER.replace("{value}", "!GetAtt Build.Arn")
        + """\
  Build:
    Type: AWS::CodeBuild::Project
    Properties: {Name: build}
"""
    )
    stack = load_stack(write_template(text))
    assert stack.function("Fn").environment["VALUE"] == "<Build.Arn>"
    assert any("AWS::CodeBuild::Project" in warning for warning in stack.warnings)


def test_circular_condition(write_template) -> None:
    text = HEADER.replace("Never: !Equals [a, b]", "Never: !Not [!Condition Never]").replace("{value}", "x")
    with pytest.raises(TemplateError, match=r"Condition 'Never': refers to itself"):
        load_stack(write_template(text))


def test_circular_naming(write_template) -> None:
    text = """\
    Resources:
      A:
        Type: AWS::SQS::Queue
        Properties: {QueueName: !GetAtt B.QueueName}
      B:
        Type: AWS::SQS::Queue
        Properties: {QueueName: !GetAtt A.QueueName}
    """
    with pytest.raises(
        TemplateError,
        match=r"Resource 'A' property 'QueueName': circular dependency between resources A -> B -> A",
    ):
        load_stack(write_template(text))


def test_bad_output(write_template) -> None:
    text = HEADER.replace("{value}", "x") + "Outputs:\n  Url:\n    Value: !GetAtt Queue.Bogus\n"
    with pytest.raises(TemplateError, match=r"Output 'Url' property 'Value': .*unknown attribute 'Bogus'"):
        load_stack(write_template(text))


def test_invalid_yaml_names_the_file(write_template) -> None:
    path = write_template("Resources:\n  A: [unclosed\n")
    with pytest.raises(TemplateError, match=r"template.yaml: invalid YAML"):
        load_stack(path)


def test_missing_template(tmp_path) -> None:
    with pytest.raises(TemplateError, match=r"template not found: .*nope.yaml"):
        load_stack(tmp_path / "nope.yaml")


def test_template_without_resources(write_template) -> None:
    with pytest.raises(TemplateError, match=r"the template has no 'Resources' mapping"):
        load_stack(write_template("Parameters: {}\n"))


def test_resource_without_type(write_template) -> None:
    with pytest.raises(TemplateError, match=r"Resource 'A': must be a mapping with a 'Type'"):
        load_stack(write_template("Resources:\n  A: {Properties: {}}\n"))


def test_sam_translator_errors_name_the_resource(write_template) -> None:
    text = """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src
          Handler: app.handler
          Runtime: python3.12
          Events:
            Up:
              Type: S3
              Properties: {Bucket: not-a-ref, Events: "s3:ObjectCreated:*"}
    """
    with pytest.raises(TemplateError, match=r"SAM template is invalid: .*\[Fn\]"):
        load_stack(write_template(text))


def test_bad_timeout_names_property(write_template) -> None:
    text = HEADER.replace("{value}", "x").replace(
        "Runtime: python3.12", "Runtime: python3.12\n      Timeout: soon"
    )
    with pytest.raises(TemplateError, match=r"Resource 'Fn' property 'Timeout': must be a whole number"):
        load_stack(write_template(text))


def test_code_in_s3_says_that_local_code_is_needed(write_template) -> None:
    text = """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      FromS3:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: s3://artifacts-bucket/fn.zip
          Handler: app.handler
          Runtime: python3.12
      FromS3Object:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: {Bucket: artifacts-bucket, Key: fn.zip}
          Handler: app.handler
          Runtime: python3.12
      Plain:
        Type: AWS::Lambda::Function
        Properties:
          Code: {S3Bucket: artifacts-bucket, S3Key: plain.zip}
          Handler: app.handler
          Runtime: python3.12
          Role: arn:aws:iam::123456789012:role/r
    """
    stack = load_stack(write_template(text))
    needs_local = r"is code in S3; samlite runs functions from local code only"
    with pytest.raises(
        UnsupportedError, match=rf"Function 'FromS3' property 'CodeUri': s3://.*{needs_local}"
    ):
        stack.function("FromS3")
    with pytest.raises(
        UnsupportedError, match=r"'FromS3Object' property 'CodeUri': s3://artifacts-bucket/fn"
    ):
        stack.function("FromS3Object")
    with pytest.raises(UnsupportedError, match=r"'Plain' property 'Code': s3://artifacts-bucket/plain.zip"):
        stack.function("Plain")


def test_unreadable_definition_uri_names_resource(write_template) -> None:
    path = write_template("""\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties: {StageName: v1, DefinitionUri: missing.yaml}
    """)
    with pytest.raises(
        TemplateError, match=r"Resource 'Api' property 'DefinitionUri': cannot read .*missing.yaml"
    ):
        load_stack(path)
    (path.parent / "missing.yaml").write_text("paths: [unclosed\n")
    with pytest.raises(TemplateError, match=r"Resource 'Api' property 'DefinitionUri': .*missing.yaml"):
        load_stack(path)
