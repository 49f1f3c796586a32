"""IAM on Secrets Manager, SSM and KMS calls is checked against the resource AWS authorizes (the secret's,
parameter's or key's ARN), however the call names it ("Actions, resources, and condition keys" for AWS
Secrets Manager, AWS Systems Manager and AWS KMS in the Service Authorization Reference)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from samlite.moto_changes.ssm_iam_resource import parameter_arn
from tests.samlite.embedded import (
    ACCOUNT,
    REGION,
    client,
    credentials_allowed,
    running_endpoint,
    unique,
)


@pytest.fixture(scope="module")
def aws():
    with running_endpoint(iam=True) as running:
        yield running.aws


def _allowed(aws, action: str, resource: str) -> dict[str, str]:
    return credentials_allowed(aws, [{"Effect": "Allow", "Action": action, "Resource": resource}])


def test_a_secret_is_authorized_on_its_full_arn_whatever_names_it(aws):
    name = unique("app/db")
    arn = client(aws, "secretsmanager").create_secret(Name=name, SecretString="s")["ARN"]
    other = client(aws, "secretsmanager").create_secret(Name=unique("app/other"), SecretString="o")["ARN"]
    reader = client(aws, "secretsmanager", _allowed(aws, "secretsmanager:GetSecretValue", arn))
    for secret_id in (name, arn, arn.rsplit("-", 1)[0]):
        assert reader.get_secret_value(SecretId=secret_id)["SecretString"] == "s"
    with pytest.raises(ClientError) as raised:
        reader.get_secret_value(SecretId=other)
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"


def test_a_parameter_is_authorized_on_its_arn_with_or_without_a_selector(aws):
    name = f"/{unique('app')}/host"
    client(aws, "ssm").put_parameter(Name=name, Value="v", Type="String")
    arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{name}"
    reader = client(aws, "ssm", _allowed(aws, "ssm:GetParameter*", arn))
    assert reader.get_parameter(Name=name)["Parameter"]["Value"] == "v"
    assert reader.get_parameter(Name=f"{name}:1")["Parameter"]["Value"] == "v"
    assert reader.get_parameter(Name=arn)["Parameter"]["Value"] == "v"
    assert reader.get_parameters(Names=[name])["Parameters"][0]["Value"] == "v"
    with pytest.raises(ClientError) as raised:
        reader.put_parameter(Name=name, Value="w", Type="String", Overwrite=True)
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"


def test_parameter_arns_as_parameter_store_writes_them():
    assert parameter_arn("/a/b", "r", "1") == "arn:aws:ssm:r:1:parameter/a/b"
    assert parameter_arn("plain:3", "r", "1") == "arn:aws:ssm:r:1:parameter/plain"
    assert parameter_arn("arn:aws:ssm:r:1:parameter/x:label", "r", "1") == "arn:aws:ssm:r:1:parameter/x"


def test_a_key_is_authorized_on_its_arn_when_named_by_alias_or_found_in_the_ciphertext(aws):
    kms = client(aws, "kms")
    key = kms.create_key()["KeyMetadata"]
    alias = f"alias/{unique('data')}"
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    user = client(aws, "kms", _allowed(aws, "kms:*", key["Arn"]))
    blob = user.encrypt(KeyId=alias, Plaintext=b"x")["CiphertextBlob"]
    assert user.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    other = kms.create_key()["KeyMetadata"]
    foreign = kms.encrypt(KeyId=other["KeyId"], Plaintext=b"y")["CiphertextBlob"]
    with pytest.raises(ClientError) as raised:
        user.decrypt(CiphertextBlob=foreign)
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
