"""`strict=False` (samlite invoke): one function of a template whose unrelated parts are broken.

SAM CLI's `local invoke` runs such templates, and its own invoke fixture
(tests/integration/testdata/invoke/template.yml in aws/aws-sam-cli) has a parameter without a default,
`AWS::Lambda::Function`s without Code and a layer by an ARN nobody can fetch, next to the functions its
tests invoke. `samlite start` still refuses such a template, with one line.
"""

from __future__ import annotations

import pytest

from samlite.errors import UnsupportedError
from samlite.template import TemplateError, load_stack

BROKEN_ELSEWHERE = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  MyRuntimeVersion:
    Type: String
Globals:
  Function:
    CodeUri: src/
    Runtime: python3.12
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
  UsesMissingParameter:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Environment:
        Variables:
          VERSION: !Ref MyRuntimeVersion
  NoCode:
    Type: AWS::Lambda::Function
    Properties:
      Handler: main.handler
      Runtime: python3.12
      Role: arn:aws:iam::123456789012:role/r
  EventsElsewhere:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: a-bucket-of-another-stack
            Events: s3:ObjectCreated:*
Outputs:
  Version:
    Value: !Ref MyRuntimeVersion
"""


def test_one_function_loads_when_unrelated_resources_are_broken(write_template) -> None:
    stack = load_stack(write_template(BROKEN_ELSEWHERE), strict=False)
    assert stack.function("HelloFunction").handler == "app.handler"
    with pytest.raises(
        TemplateError, match=r"Resource 'UsesMissingParameter' .*Parameter 'MyRuntimeVersion'"
    ):
        stack.function("UsesMissingParameter")
    with pytest.raises(TemplateError, match=r"SAM template is invalid: Resource with id \[EventsElsewhere\]"):
        stack.function("EventsElsewhere")
    with pytest.raises(UnsupportedError, match=r"Function 'NoCode' property 'Code': missing"):
        stack.function("NoCode")
    assert set(stack.broken) == {"UsesMissingParameter", "EventsElsewhere"}
    assert "Version" not in stack.outputs
    assert any(w.startswith("Output 'Version'") and "(output left out)" in w for w in stack.warnings)


def test_a_strict_load_refuses_with_the_first_problem_in_one_line(write_template) -> None:
    with pytest.raises(TemplateError) as raised:
        load_stack(write_template(BROKEN_ELSEWHERE))
    assert "\n" not in str(raised.value)
    assert str(raised.value).startswith("Parameter 'MyRuntimeVersion': no Default")


def test_a_template_whose_only_refusal_names_no_resource_still_fails(write_template) -> None:
    text = BROKEN_ELSEWHERE.replace("    CodeUri: src/", "    CodeUri: src/\n    NotAGlobal: 1")
    with pytest.raises(TemplateError, match=r"SAM template is invalid: .*Globals"):
        load_stack(write_template(text), strict=False)
