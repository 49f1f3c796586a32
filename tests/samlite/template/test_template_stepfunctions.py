"""State machines in the template model: names, Ref / GetAtt, and a local DefinitionUri.

References: CloudFormation's AWS::StepFunctions::StateMachine ("StateMachineName: if you don't specify
a name, one is generated that is similar to MyStateMachine-1234abcdefgh"; Ref returns the ARN;
GetAtt Arn, Name, StateMachineRevisionId) and SAM's AWS::Serverless::StateMachine (DefinitionUri: a
local file, packaged to S3 by `sam package`; Definition and DefinitionSubstitutions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from samlite.template import TemplateError, load_stack
from samlite.template.naming import NamingContext, resource_names

CTX = NamingContext(stack_name="samlite", region="us-east-1", account_id="123456789012")


def test_an_unnamed_state_machine_is_named_like_cloudformation_names_it() -> None:
    names = resource_names(CTX, "OrderFlow", "AWS::StepFunctions::StateMachine", None, {})
    name = names.attributes["Name"]
    assert re.fullmatch(r"OrderFlow-[A-Za-z0-9]{12}", name)
    assert (
        names.ref == names.attributes["Arn"] == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    )
    assert re.fullmatch(r"[0-9a-f-]{36}", names.attributes["StateMachineRevisionId"])
    assert resource_names(CTX, "OrderFlow", "AWS::StepFunctions::StateMachine", None, {}).ref == names.ref
    long_id = "A" * 100
    assert (
        len(resource_names(CTX, long_id, "AWS::StepFunctions::StateMachine", None, {}).attributes["Name"])
        == 80
    )


def test_a_given_state_machine_name_wins() -> None:
    names = resource_names(CTX, "OrderFlow", "AWS::StepFunctions::StateMachine", "orders", {})
    assert names.ref.endswith(":stateMachine:orders")
    assert names.attributes["Name"] == "orders"


def test_sam_state_machine_from_a_local_definition_uri_with_substitutions(
    write_template: Callable[..., Path],
) -> None:
    template = write_template(
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12}
          Flow:
            Type: AWS::Serverless::StateMachine
            Properties:
              Name: orders
              DefinitionUri: flow.asl.yaml
              DefinitionSubstitutions:
                FnArn: !GetAtt Fn.Arn
              Policies:
                - LambdaInvokePolicy: {FunctionName: !Ref Fn}
        Outputs:
          FlowArn:
            Value: !Ref Flow
          FlowName:
            Value: !GetAtt Flow.Name
        """
    )
    (template.parent / "flow.asl.yaml").write_text(
        "StartAt: Call\nStates:\n  Call:\n    Type: Task\n    Resource: ${FnArn}\n    End: true\n"
    )
    stack = load_stack(template)
    flow = stack.resources["Flow"]
    assert flow.type == "AWS::StepFunctions::StateMachine"
    assert stack.outputs == {
        "FlowArn": "arn:aws:states:us-east-1:123456789012:stateMachine:orders",
        "FlowName": "orders",
    }
    definition = json.loads(flow.properties["DefinitionString"])
    assert definition["States"]["Call"]["Resource"] == "${FnArn}"  # substituted when provisioned
    assert flow.properties["DefinitionSubstitutions"] == {"FnArn": stack.resources["Fn"].attributes["Arn"]}
    assert flow.properties["RoleArn"] == stack.resources["FlowRole"].attributes["Arn"]  # SAM's generated role


@pytest.mark.parametrize(
    ("content", "message"), [(None, "cannot read"), ("- a list", "must be a JSON or YAML object")]
)
def test_a_definition_uri_that_cannot_be_read_names_resource_and_property(
    write_template: Callable[..., Path], content: str | None, message: str
) -> None:
    template = write_template(
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Flow:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionUri: flow.asl.json
              Policies: []
        """
    )
    if content is not None:
        (template.parent / "flow.asl.json").write_text(content)
    with pytest.raises(TemplateError) as refused:
        load_stack(template)
    assert "Resource 'Flow' property 'DefinitionUri'" in str(refused.value)
    assert message in str(refused.value)
