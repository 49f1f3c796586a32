"""Secrets, SSM parameters and KMS keys of a real template provisioned into the embedded AWS (IAM on):
they exist under the very ARN, name and key id Ref gave, with the template's values, SAM's policy
templates for them are enforced per function on those ARNs, and a reset puts them back as provisioned.

Pinned by "AWS::SecretsManager::Secret", "AWS::SSM::Parameter", "AWS::KMS::Key", "AWS::KMS::Alias"
(CloudFormation template reference) and SAM's policy templates AWSSecretsManagerGetSecretValuePolicy,
SSMParameterReadPolicy and KMSDecryptPolicy ("AWS SAM policy template list").
"""

from __future__ import annotations

import textwrap

import pytest
from botocore.exceptions import ClientError

from samlite.errors import ProvisionError
from samlite.iam.function_credentials import FunctionCredentials
from samlite.provisioning.provision import provision
from samlite.provisioning.reset import empty_resources, remove_resources
from samlite.template import load_stack
from tests.samlite.embedded import client, running_endpoint, unique, write_project

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: app data
      EnableKeyRotation: true
      Tags: [{Key: team, Value: blue}]
  KeyAlias:
    Type: AWS::KMS::Alias
    Properties: {AliasName: !Sub "alias/${AWS::StackName}", TargetKeyId: !Ref Key}
  Token:
    Type: AWS::SecretsManager::Secret
    Properties:
      Description: api token
      KmsKeyId: !Ref Key
      GenerateSecretString: {PasswordLength: 16, ExcludePunctuation: true}
      Tags: [{Key: team, Value: blue}]
  Other:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: !Sub "${AWS::StackName}/other", SecretString: other}
  Host:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub "/${AWS::StackName}/host"
      Type: String
      Value: db.internal
      Description: where the database is
      AllowedPattern: "^[a-z.]+$"
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Policies:
        - AWSSecretsManagerGetSecretValuePolicy: {SecretArn: !Ref Token}
        - SSMParameterReadPolicy: {ParameterName: !Sub "${AWS::StackName}/host"}
        - KMSDecryptPolicy: {KeyId: !Ref Key}
"""


@pytest.fixture(scope="module")
def endpoint():
    with running_endpoint(iam=True) as running:
        yield running


@pytest.fixture(scope="module")
def deployed(endpoint, tmp_path_factory):
    path = write_project(tmp_path_factory.mktemp("secrets"), textwrap.dedent(TEMPLATE))
    aws = endpoint.aws
    stack = load_stack(path, stack_name=unique("sec"), endpoint_url=aws.url)
    result = provision(aws, stack, endpoint.services)
    return aws, stack, result


def test_the_secret_exists_under_the_arn_ref_gave_with_the_generated_value(deployed):
    aws, stack, result = deployed
    token = stack.resources["Token"]
    answer = client(aws, "secretsmanager").get_secret_value(SecretId=token.ref)
    assert answer["ARN"] == token.ref == result.physical_ids["Token"]
    assert answer["SecretString"] == token.properties["SecretString"]
    assert len(answer["SecretString"]) == 16 and answer["SecretString"].isalnum()
    described = client(aws, "secretsmanager").describe_secret(SecretId=token.ref)
    assert (described["Description"], described["KmsKeyId"]) == ("api token", stack.resources["Key"].ref)
    assert described["Tags"] == [{"Key": "team", "Value": "blue"}]
    name = token.ref.split(":secret:")[1].rsplit("-", 1)[0]
    assert client(aws, "secretsmanager").get_secret_value(SecretId=name)["ARN"] == token.ref  # by name too


def test_the_parameter_and_key_exist_under_their_refs(deployed):
    aws, stack, _ = deployed
    host = client(aws, "ssm").get_parameter(Name=stack.resources["Host"].ref)["Parameter"]
    assert (host["Value"], host["Type"], host["Version"]) == ("db.internal", "String", 1)
    key = stack.resources["Key"]
    kms = client(aws, "kms")
    metadata = kms.describe_key(KeyId=key.ref)["KeyMetadata"]
    assert (metadata["KeyId"], metadata["Arn"], metadata["Description"]) == (
        key.ref,
        key.attributes["Arn"],
        "app data",
    )
    assert kms.get_key_rotation_status(KeyId=key.ref)["KeyRotationEnabled"] is True
    assert kms.list_resource_tags(KeyId=key.ref)["Tags"] == [{"TagKey": "team", "TagValue": "blue"}]
    assert kms.describe_key(KeyId=stack.resources["KeyAlias"].ref)["KeyMetadata"]["KeyId"] == key.ref


def test_policy_templates_are_enforced_on_the_secrets_parameters_and_keys_arns(deployed):
    aws, stack, _ = deployed
    env = FunctionCredentials(aws).credentials_for(stack.functions["Worker"])
    secrets, ssm, kms = client(aws, "secretsmanager", env), client(aws, "ssm", env), client(aws, "kms", env)
    assert secrets.get_secret_value(SecretId=stack.resources["Token"].ref)["SecretString"]
    with pytest.raises(ClientError) as raised:
        secrets.get_secret_value(SecretId=stack.resources["Other"].ref)
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert ssm.get_parameter(Name=stack.resources["Host"].ref)["Parameter"]["Value"] == "db.internal"
    assert ssm.get_parameters(Names=[stack.resources["Host"].ref])["Parameters"][0]["Version"] == 1
    with pytest.raises(ClientError):
        ssm.put_parameter(Name=stack.resources["Host"].ref, Value="x", Overwrite=True)  # read policy only
    admin_kms = client(aws, "kms")
    blob = admin_kms.encrypt(KeyId=stack.resources["Key"].ref, Plaintext=b"sealed")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"sealed"  # the key is read from the blob
    with pytest.raises(ClientError) as raised:
        kms.encrypt(KeyId=stack.resources["Key"].ref, Plaintext=b"x")  # KMSDecryptPolicy does not encrypt
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"


def test_empty_puts_secrets_and_parameters_back_as_provisioned(deployed):
    aws, stack, _ = deployed
    token, host = stack.resources["Token"], stack.resources["Host"]
    secrets, ssm = client(aws, "secretsmanager"), client(aws, "ssm")
    secrets.put_secret_value(SecretId=token.ref, SecretString="changed")
    ssm.put_parameter(Name=host.ref, Value="elsewhere", Overwrite=True)
    secrets.delete_secret(SecretId=stack.resources["Other"].ref, ForceDeleteWithoutRecovery=True)
    empty_resources(aws, stack.resources.values())
    assert secrets.get_secret_value(SecretId=token.ref)["SecretString"] == token.properties["SecretString"]
    assert [v["VersionStages"] for v in secrets.list_secret_version_ids(SecretId=token.ref)["Versions"]] == [
        ["AWSCURRENT"]
    ]
    assert secrets.get_secret_value(SecretId=stack.resources["Other"].ref)["SecretString"] == "other"
    parameter = ssm.get_parameter(Name=host.ref)["Parameter"]
    assert (parameter["Value"], parameter["Version"]) == ("db.internal", 1)


def test_a_value_outside_allowed_pattern_stops_provisioning_naming_the_resource(endpoint, tmp_path):
    (tmp_path / "template.yaml").write_text(
        textwrap.dedent(
            """
            Resources:
              Host:
                Type: AWS::SSM::Parameter
                Properties: {Type: String, Value: "NOT ALLOWED", AllowedPattern: "^[a-z]+$"}
            """
        )
    )
    stack = load_stack(tmp_path / "template.yaml", stack_name=unique("bad"))
    with pytest.raises(ProvisionError) as raised:
        provision(endpoint.aws, stack, endpoint.services)
    assert str(raised.value) == (
        "Host (AWS::SSM::Parameter) property 'Value': 'NOT ALLOWED' does not match AllowedPattern '^[a-z]+$'"
    )


def test_removal_leaves_nothing_behind(endpoint, tmp_path):
    (tmp_path / "template.yaml").write_text(textwrap.dedent(TEMPLATE).split("  Worker:")[0])
    aws = endpoint.aws
    stack = load_stack(tmp_path / "template.yaml", stack_name=unique("rm"))
    provision(aws, stack, endpoint.services)
    remove_resources(aws, stack.resources.values())
    listed = [secret["ARN"] for secret in client(aws, "secretsmanager").list_secrets()["SecretList"]]
    assert stack.resources["Token"].ref not in listed
    with pytest.raises(ClientError):
        client(aws, "ssm").get_parameter(Name=stack.resources["Host"].ref)
    with pytest.raises(ClientError):
        client(aws, "kms").describe_key(KeyId=stack.resources["Key"].ref)
    again = load_stack(tmp_path / "template.yaml", stack_name=stack.stack_name)
    provision(aws, again, endpoint.services)  # the same names again: nothing was left in the way
    assert client(aws, "ssm").get_parameter(Name=again.resources["Host"].ref)["Parameter"]["Version"] == 1
