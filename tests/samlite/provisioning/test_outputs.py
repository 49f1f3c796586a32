"""Stack outputs: CloudFormation DescribeStacks on the local endpoint, and `.samlite/outputs.json`."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from samlite.cloud.state_files import write_outputs_file
from samlite.iam.function_credentials import FunctionCredentials
from samlite.provisioning.provision import provision
from samlite.services.cloudformation.describe_stacks import outputs_as_details
from tests.samlite.embedded import FakeStack, client, function_spec, role_resource, unique


@pytest.fixture(scope="module")
def stack(aws, services):
    stack = FakeStack(stack_name=unique("samlite"))
    stack.outputs = {"BucketName": "uploads-abc", "ApiUrl": "http://127.0.0.1:3000/", "Subnets": ["a", "b"]}
    stack.output_details = [
        {"OutputKey": "BucketName", "OutputValue": "uploads-abc", "Description": "Where uploads go & <stay>"},
        {"OutputKey": "ApiUrl", "OutputValue": "http://127.0.0.1:3000/", "ExportName": "catalog-api"},
    ]
    stack.parameters = {"Stage": "dev"}
    provision(aws, stack, services)
    return stack


def test_describe_stacks_answers_the_outputs(aws, stack):
    described = client(aws, "cloudformation").describe_stacks(StackName=stack.stack_name)["Stacks"]
    assert len(described) == 1
    record = described[0]
    assert record["StackName"] == stack.stack_name
    assert record["StackStatus"] == "CREATE_COMPLETE"
    assert record["StackId"].startswith(
        f"arn:aws:cloudformation:us-east-1:123456789012:stack/{stack.stack_name}/"
    )
    assert record["Outputs"] == [
        {"OutputKey": "BucketName", "OutputValue": "uploads-abc", "Description": "Where uploads go & <stay>"},
        {"OutputKey": "ApiUrl", "OutputValue": "http://127.0.0.1:3000/", "ExportName": "catalog-api"},
    ]
    assert record["Parameters"] == [{"ParameterKey": "Stage", "ParameterValue": "dev"}]


def test_describe_stacks_by_stack_id_and_without_a_name(aws, stack):
    cfn = client(aws, "cloudformation")
    stack_id = cfn.describe_stacks(StackName=stack.stack_name)["Stacks"][0]["StackId"]
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackName"] == stack.stack_name
    assert stack.stack_name in [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]


def test_unknown_stack_is_a_validation_error(aws, stack):
    with pytest.raises(ClientError) as raised:
        client(aws, "cloudformation").describe_stacks(StackName="no-such-stack")
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"] == "Stack with id no-such-stack does not exist"


def test_describe_stacks_needs_the_permission(aws, stack, services):
    role = role_resource(
        "NoCfn", unique("no-cfn"), [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]
    )
    other = FakeStack()
    other.add(role)
    provision(aws, other, services)
    env = FunctionCredentials(aws).credentials_for(
        function_spec(unique("fn"), role_arn=role.attributes["Arn"])
    )
    with pytest.raises(ClientError) as raised:
        client(aws, "cloudformation", env).describe_stacks(StackName=stack.stack_name)
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_outputs_without_details_are_joined_as_cloudformation_does():
    assert outputs_as_details({"Subnets": ["a", "b"], "Name": "x"}) == [
        {"OutputKey": "Subnets", "OutputValue": "a,b"},
        {"OutputKey": "Name", "OutputValue": "x"},
    ]


def test_outputs_file_is_written_as_json(tmp_path):
    path = tmp_path / ".samlite" / "outputs.json"
    write_outputs_file(path, {"BucketName": "uploads-abc", "Port": 4566})
    assert json.loads(path.read_text()) == {"BucketName": "uploads-abc", "Port": 4566}
    assert not path.with_suffix(".json.tmp").exists()
