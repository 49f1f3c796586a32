"""Template formats: CloudFormation YAML short tags, JSON templates, plain CloudFormation functions."""

from __future__ import annotations

import json

from samlite.template import load_stack
from samlite.template.yaml_loader import parse_template_text


def test_short_tags_become_long_forms() -> None:
    document = parse_template_text("""\
Resources:
  A:
    Type: T
    Properties:
      Ref: !Ref X
      Att: !GetAtt Res.Outputs.Name
      AttList: !GetAtt [Res, Arn]
      Sub: !Sub "${X}"
      Cond: !Condition C
      Join: !Join ["", [a, !Ref Y]]
      Version: 2012-10-17
""")
    props = document["Resources"]["A"]["Properties"]
    assert props["Ref"] == {"Ref": "X"}
    assert props["Att"] == {"Fn::GetAtt": ["Res", "Outputs.Name"]}
    assert props["AttList"] == {"Fn::GetAtt": ["Res", "Arn"]}
    assert props["Sub"] == {"Fn::Sub": "${X}"}
    assert props["Cond"] == {"Condition": "C"}
    assert props["Join"] == {"Fn::Join": ["", ["a", {"Ref": "Y"}]]}
    assert props["Version"] == "2012-10-17"  # not a date: IAM policies depend on it


def test_loader_does_not_change_pyyaml_globally() -> None:
    import yaml

    assert not isinstance(yaml.safe_load("d: 2012-10-17")["d"], str)


def test_json_template_with_getatt_string_form(write_template) -> None:
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Table": {"Type": "AWS::Serverless::SimpleTable"},
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "CodeUri": "src",
                    "Handler": "app.handler",
                    "Runtime": "python3.13",
                    "Environment": {
                        "Variables": {"ARN": {"Fn::GetAtt": "Table.Arn"}, "NAME": {"Ref": "Table"}}
                    },
                    "Policies": [{"DynamoDBReadPolicy": {"TableName": {"Ref": "Table"}}}],
                },
            },
        },
    }
    stack = load_stack(write_template(json.dumps(template), name="template.json"))
    env = stack.function("Fn").environment
    assert env["ARN"] == f"arn:aws:dynamodb:us-east-1:123456789012:table/{env['NAME']}"


def test_plain_cloudformation_function_with_local_code(write_template) -> None:
    stack = load_stack(
        write_template("""\
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              RoleName: fixed-role
              AssumeRolePolicyDocument: {Version: 2012-10-17, Statement: []}
              Policies:
                - PolicyName: inline
                  PolicyDocument:
                    Version: 2012-10-17
                    Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]
          Extra:
            Type: AWS::IAM::Policy
            Properties:
              PolicyName: extra
              Roles: [!Ref Role]
              PolicyDocument:
                Version: 2012-10-17
                Statement: [{Effect: Allow, Action: "sqs:*", Resource: "*"}]
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Code: src
              Handler: app.handler
              Runtime: python3.12
              Role: !GetAtt Role.Arn
        """)
    )
    fn = stack.function("Fn")
    assert fn.code_uri.name == "src" and fn.code_uri.is_absolute()
    assert fn.role_arn == "arn:aws:iam::123456789012:role/fixed-role"
    names = [policy["PolicyName"] for policy in fn.policy_documents]
    assert names == ["inline", "extra"]
    assert fn.policy_documents[0]["PolicyDocument"]["Version"] == "2012-10-17"
    assert fn.timeout == 3 and fn.memory_size == 128  # Lambda's defaults


def test_local_definition_uri_is_inlined(write_template) -> None:
    path = write_template("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: v1
              DefinitionUri: openapi.yaml
        """)
    (path.parent / "openapi.yaml").write_text(
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /ping:\n    get: {responses: {}}\n"
    )
    stack = load_stack(path)
    assert "/ping" in stack.resources["Api"].properties["Body"]["paths"]
    assert stack.resources["Apiv1Stage"].ref == "v1"


def test_code_uri_from_a_parameter(write_template) -> None:
    path = write_template("""\
        Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]
        Parameters:
          Code: {Type: String, Default: src}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: !Ref Code
              Handler: app.handler
              Runtime: python3.12
        """)
    stack = load_stack(path)
    assert stack.function("Fn").code_uri == (path.parent / "src").resolve()
    assert stack.warnings == [
        "Transform 'AWS::LanguageExtensions' is not applied by samlite (only AWS::Serverless-2016-10-31)"
    ]


def test_auto_publish_alias_version_and_alias_refs(write_template) -> None:
    path = write_template("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: aliased
              CodeUri: src
              Handler: app.handler
              Runtime: python3.12
              AutoPublishAlias: live
        Outputs:
          Alias:
            Value: !Ref Fn.Alias
          Version:
            Value: !Ref Fn.Version
        """)
    stack = load_stack(path)
    function_arn = "arn:aws:lambda:us-east-1:123456789012:function:aliased"
    assert stack.outputs["Alias"] == f"{function_arn}:live"
    assert stack.outputs["Version"] == f"{function_arn}:1"
    assert stack.function("Fn").function_name == "aliased"
