"""Versions and aliases in the template model: AutoPublishAlias, AWS::Lambda::Version, AWS::Lambda::Alias.

Ref and GetAtt as CloudFormation returns them ("AWS::Lambda::Version": Ref is the version's ARN,
`arn:aws:lambda:us-west-2:123456789012:function:helloworld:1`, and `Fn::GetAtt Version` its number;
`FunctionArn` is the version's ARN, its primary identifier in the resource schema. "AWS::Lambda::Alias":
Ref and `AliasArn` are the alias ARN). What a qualified ARN in the template reaches is the version that
alias or version names.
"""

from __future__ import annotations

from samlite.template import load_stack
from samlite.template.versions import QualifiedTarget, qualified_target

ALIASED = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders
      CodeUri: src
      Handler: app.handler
      Runtime: python3.11
      AutoPublishAlias: live
Outputs:
  AliasArn:
    Value: !Ref Fn.Alias
  VersionArn:
    Value: !Ref Fn.Version
"""
ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"


def test_auto_publish_alias_gives_version_1_and_the_alias(write_template):
    stack = load_stack(write_template(ALIASED))
    [version] = [r for r in stack.resources.values() if r.type == "AWS::Lambda::Version"]
    [alias] = [r for r in stack.resources.values() if r.type == "AWS::Lambda::Alias"]
    assert version.ref == f"{ARN}:1"
    assert dict(version.attributes) == {"Version": "1", "FunctionArn": f"{ARN}:1"}
    assert alias.ref == alias.attributes["AliasArn"] == f"{ARN}:live"
    assert alias.properties["FunctionVersion"] == "1"
    assert stack.outputs == {"AliasArn": f"{ARN}:live", "VersionArn": f"{ARN}:1"}


def test_several_versions_of_one_function_are_numbered_in_logical_id_order(write_template):
    stack = load_stack(
        write_template(
            """
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties: {FunctionName: orders, Code: src, Handler: app.handler, Runtime: python3.11,
                             Role: arn:aws:iam::123456789012:role/r}
              Other:
                Type: AWS::Lambda::Function
                Properties: {FunctionName: other, Code: src, Handler: app.handler, Runtime: python3.11,
                             Role: arn:aws:iam::123456789012:role/r}
              VersionB: {Type: AWS::Lambda::Version, Properties: {FunctionName: !Ref Fn}}
              VersionA: {Type: AWS::Lambda::Version, Properties: {FunctionName: !Ref Fn, Description: a}}
              OtherVersion: {Type: AWS::Lambda::Version, Properties: {FunctionName: !GetAtt Other.Arn}}
              Pinned:
                Type: AWS::Lambda::Alias
                Properties: {FunctionName: !Ref Fn, FunctionVersion: !GetAtt VersionB.Version, Name: pinned}
            """
        )
    )
    numbers = {
        logical_id: stack.resources[logical_id].attributes["Version"]
        for logical_id in ("VersionA", "VersionB", "OtherVersion")
    }
    assert numbers == {"VersionA": "1", "VersionB": "2", "OtherVersion": "1"}
    assert stack.resources["VersionB"].ref == f"{ARN}:2"
    assert stack.resources["Pinned"].properties["FunctionVersion"] == "2"


def test_a_qualified_arn_reaches_the_version_its_alias_or_version_names(write_template):
    stack = load_stack(write_template(ALIASED))
    assert qualified_target(stack.resources, ARN) == QualifiedTarget("Fn", "$LATEST")
    assert qualified_target(stack.resources, f"{ARN}:$LATEST") == QualifiedTarget("Fn", "$LATEST")
    assert qualified_target(stack.resources, f"{ARN}:live") == QualifiedTarget("Fn", "1")
    assert qualified_target(stack.resources, f"{ARN}:1") == QualifiedTarget("Fn", "1")
    assert qualified_target(stack.resources, f"{ARN}:beta") is None
    assert qualified_target(stack.resources, "arn:aws:lambda:us-east-1:123456789012:function:other") is None
    assert qualified_target(stack.resources, "not an arn") is None


def test_weighted_routing_is_a_warning_naming_the_alias(write_template):
    stack = load_stack(
        write_template(
            """
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties: {FunctionName: orders, Code: src, Handler: app.handler, Runtime: python3.11,
                             Role: arn:aws:iam::123456789012:role/r}
              V1: {Type: AWS::Lambda::Version, Properties: {FunctionName: !Ref Fn}}
              V2: {Type: AWS::Lambda::Version, Properties: {FunctionName: !Ref Fn}}
              Canary:
                Type: AWS::Lambda::Alias
                Properties:
                  FunctionName: !Ref Fn
                  FunctionVersion: !GetAtt V1.Version
                  Name: canary
                  RoutingConfig:
                    AdditionalVersionWeights: [{FunctionVersion: !GetAtt V2.Version, FunctionWeight: 0.1}]
            """
        )
    )
    assert (
        "Resource 'Canary' property 'RoutingConfig': weighted routing is not applied locally; every "
        "invocation of alias 'canary' runs version 1"
    ) in stack.warnings
