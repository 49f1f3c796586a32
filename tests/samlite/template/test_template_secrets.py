"""Secrets, parameters and keys in the template model: Ref and GetAtt as CloudFormation returns them,
GenerateSecretString, and dynamic references.

Pinned by the CloudFormation template reference: "AWS::SecretsManager::Secret" (Ref returns the
secret's ARN; GetAtt `Id` too; `Name` honoured, Secrets Manager adding `-` and six characters to the
ARN), "AWS::SSM::Parameter" (Ref returns the parameter's name; GetAtt `Type`, `Value`; SecureString
is not supported), "AWS::KMS::Key" (Ref returns the key id; GetAtt `Arn`, `KeyId`), "AWS::KMS::Alias"
(Ref returns the alias name); and "Get values stored in other services using dynamic references"
(CloudFormation user guide) for `{{resolve:...}}`.
"""

from __future__ import annotations

import json
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.template import TemplateError, load_stack
from samlite.template.locations import Location
from samlite.template.secret_values import generated_secret_string, random_password

PARTIAL_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"
HEADER = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
"""
FUNCTION = """
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.11
      Environment:
        Variables:
{variables}
"""
RESOURCES = """
  DbSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: prod/db
      GenerateSecretString:
        SecretStringTemplate: '{"username": "admin"}'
        GenerateStringKey: password
        PasswordLength: 20
  Plain:
    Type: AWS::SecretsManager::Secret
    Properties:
      SecretString: '{"nested": {"a": 1}, "key": "k-123"}'
  Host:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /app/db-host
      Type: String
      Value: db.internal
  Hosts:
    Type: AWS::SSM::Parameter
    Properties:
      Type: StringList
      Value: [a, b]
  Key:
    Type: AWS::KMS::Key
  KeyAlias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/app
      TargetKeyId: !Ref Key
"""


def _stack(write_template, variables: dict[str, str], extra: str = RESOURCES, **kwargs):
    lines = "\n".join(f"          {name}: {value}" for name, value in variables.items())
    return load_stack(write_template(HEADER + extra + FUNCTION.format(variables=lines)), **kwargs)


def test_refs_and_attributes_are_cloudformations(write_template):
    stack = _stack(
        write_template,
        {
            "SECRET": "!Ref DbSecret",
            "SECRET_ID": "!GetAtt DbSecret.Id",
            "UNNAMED": "!Ref Plain",
            "PARAM": "!Ref Host",
            "PARAM_TYPE": "!GetAtt Host.Type",
            "PARAM_VALUE": "!GetAtt Host.Value",
            "PARAM_ARN": "!GetAtt Host.Arn",
            "LIST": "!Ref Hosts",
            "KEY": "!Ref Key",
            "KEY_ARN": "!GetAtt Key.Arn",
            "KEY_ID": "!GetAtt Key.KeyId",
            "ALIAS": "!Ref KeyAlias",
        },
    )
    env = stack.functions["Fn"].environment
    assert re.fullmatch(
        r"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-[A-Za-z0-9]{6}", env["SECRET"]
    )
    assert env["SECRET_ID"] == env["SECRET"]
    assert re.fullmatch(
        r"arn:aws:secretsmanager:us-east-1:123456789012:secret:Plain-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}",
        env["UNNAMED"],
    )
    assert (env["PARAM"], env["PARAM_TYPE"], env["PARAM_VALUE"]) == ("/app/db-host", "String", "db.internal")
    assert env["PARAM_ARN"] == "arn:aws:ssm:us-east-1:123456789012:parameter/app/db-host"
    assert re.fullmatch(r"CFN-Hosts-[A-Za-z0-9]{12}", env["LIST"])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", env["KEY"])
    assert (
        env["KEY_ARN"] == f"arn:aws:kms:us-east-1:123456789012:key/{env['KEY']}"
        and env["KEY_ID"] == env["KEY"]
    )
    assert env["ALIAS"] == "alias/app"
    again = _stack(write_template, {"SECRET": "!Ref DbSecret"}).functions["Fn"].environment
    assert again["SECRET"] == env["SECRET"]  # stable across loads, as names are


def test_dynamic_references_resolve_to_the_templates_own_values(write_template):
    stack = _stack(
        write_template,
        {
            "USER": "'{{resolve:secretsmanager:prod/db:SecretString:username}}'",
            "PASSWORD": "!Sub '{{resolve:secretsmanager:${DbSecret}:SecretString:password}}'",
            "WHOLE": "!Sub '{{resolve:secretsmanager:${Plain}}}'",
            "BY_PARTIAL_ARN": f"'{{{{resolve:secretsmanager:{PARTIAL_ARN}:SecretString:username::}}}}'",
            "NESTED": "!Sub '{{resolve:secretsmanager:${Plain}:SecretString:nested:AWSCURRENT}}'",
            "URL": "'postgres://{{resolve:ssm:/app/db-host}}:5432/{{resolve:ssm:/app/db-host:1}}'",
            "LIST": "!Sub '{{resolve:ssm:${Hosts}}}'",
        },
    )
    env = stack.functions["Fn"].environment
    secret = json.loads(stack.resources["DbSecret"].properties["SecretString"])
    assert env["USER"] == env["BY_PARTIAL_ARN"] == secret["username"] == "admin"
    assert env["PASSWORD"] == secret["password"] and len(secret["password"]) == 20
    assert env["WHOLE"] == '{"nested": {"a": 1}, "key": "k-123"}'
    assert env["NESTED"] == '{"a": 1}'
    assert env["URL"] == "postgres://db.internal:5432/db.internal"
    assert env["LIST"] == "a,b"
    assert (
        "GenerateSecretString" not in stack.resources["DbSecret"].properties
    )  # provisioning reads the value


def test_references_in_other_resources_are_resolved_and_outputs_keep_them_literal(write_template):
    """Outputs keep dynamic references as written (CloudFormation does not resolve secrets there:
    aws-cloudformation/cloudformation-coverage-roadmap#689)."""
    extra = (
        RESOURCES
        + """
  Copy:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: 'copy of {{resolve:ssm:/app/db-host}}'
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags: [{Key: host, Value: '{{resolve:ssm:/app/db-host}}'}]
Outputs:
  Literal:
    Value: '{{resolve:ssm:/app/db-host}}'
"""
    )
    template = HEADER + extra.replace("Outputs:", FUNCTION.format(variables="          A1: x") + "Outputs:")
    stack = load_stack(write_template(template))
    assert stack.resources["Copy"].properties["Value"] == "copy of db.internal"
    assert stack.resources["Queue"].properties["Tags"] == [{"Key": "host", "Value": "db.internal"}]
    assert stack.outputs["Literal"] == "{{resolve:ssm:/app/db-host}}"


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("'{{resolve:ssm:/not/here}}'", "no AWS::SSM::Parameter named '/not/here' in the template"),
        ("'{{resolve:ssm:/app/db-host:2}}'", "parameter '/app/db-host' has only version 1"),
        ("'{{resolve:ssm-secure:/app/password}}'", "CloudFormation cannot create SecureString parameters"),
        ("'{{resolve:secretsmanager:missing}}'", "no AWS::SecretsManager::Secret 'missing' in the template"),
        ("'{{resolve:secretsmanager:prod/db:SecretString:nope}}'", "secret 'prod/db' has no JSON key 'nope'"),
        (
            "'{{resolve:secretsmanager:prod/db:SecretString:username:AWSPENDING}}'",
            "has only its AWSCURRENT version",
        ),
        ("'{{resolve:secretsmanager:prod/db:SecretBinary}}'", "the second segment must be SecretString"),
        ("'{{resolve:dynamodb:table}}'", "unknown service 'dynamodb'"),
    ],
)
def test_a_reference_that_names_nothing_is_one_error_naming_resource_property_and_reference(
    write_template, reference, message
):
    with pytest.raises(TemplateError) as raised:
        _stack(write_template, {"VALUE": reference})
    text = str(raised.value)
    assert text.startswith(
        f"Resource 'Fn' property 'Environment.Variables.VALUE': {reference.strip(chr(39))}: "
    )
    assert message in text
    assert text.endswith("or set the variable with --env-vars")


def test_a_variable_set_with_env_vars_needs_no_parameter(write_template):
    stack = _stack(
        write_template,
        {"VALUE": "'{{resolve:ssm:/outside/the/template}}'"},
        env_vars={"Fn": {"VALUE": "given locally"}},
    )
    assert stack.functions["Fn"].environment["VALUE"] == "given locally"


def test_securestring_parameters_are_refused_as_cloudformation_refuses_them(write_template):
    extra = """
  Secret:
    Type: AWS::SSM::Parameter
    Properties: {Type: SecureString, Value: x}
"""
    with pytest.raises(
        TemplateError, match=r"Resource 'Secret' property 'Type': CloudFormation cannot create SecureString"
    ):
        _stack(write_template, {"A1": "x"}, extra=extra)


def test_a_secret_with_both_values_or_a_half_template_is_an_error(write_template):
    both = """
  S:
    Type: AWS::SecretsManager::Secret
    Properties: {SecretString: x, GenerateSecretString: {}}
"""
    with pytest.raises(
        TemplateError, match=r"Resource 'S': specify SecretString or GenerateSecretString, not both"
    ):
        _stack(write_template, {"A1": "x"}, extra=both)
    half = """
  S:
    Type: AWS::SecretsManager::Secret
    Properties: {GenerateSecretString: {GenerateStringKey: password}}
"""
    with pytest.raises(TemplateError, match="SecretStringTemplate and GenerateStringKey go together"):
        _stack(write_template, {"A1": "x"}, extra=half)


def test_references_that_go_round_in_a_circle_are_an_error(write_template):
    extra = """
  A:
    Type: AWS::SSM::Parameter
    Properties: {Name: a, Type: String, Value: '{{resolve:ssm:b}}'}
  B:
    Type: AWS::SSM::Parameter
    Properties: {Name: b, Type: String, Value: '{{resolve:ssm:a}}'}
"""
    with pytest.raises(TemplateError, match="refers to itself through dynamic references"):
        _stack(write_template, {"A1": "x"}, extra=extra)


# -- GenerateSecretString: GetRandomPassword's rules ---------------------------------------------

LOC = Location("Resource", "S", ("GenerateSecretString",))


def test_the_default_password_is_32_characters_of_every_type():
    password = random_password({}, LOC)
    assert len(password) == 32
    for kind in (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation):
        assert any(c in kind for c in password)
    assert " " not in password


@settings(max_examples=200, deadline=None)
@given(
    length=st.integers(min_value=5, max_value=64),
    exclude_lower=st.booleans(),
    exclude_upper=st.booleans(),
    exclude_numbers=st.booleans(),
    exclude_punctuation=st.booleans(),
    include_space=st.booleans(),
    excluded=st.text(alphabet=string.printable.strip(), max_size=8),
)
def test_generated_passwords_follow_every_option(
    length, exclude_lower, exclude_upper, exclude_numbers, exclude_punctuation, include_space, excluded
):
    spec = {
        "PasswordLength": length,
        "ExcludeLowercase": exclude_lower,
        "ExcludeUppercase": exclude_upper,
        "ExcludeNumbers": exclude_numbers,
        "ExcludePunctuation": exclude_punctuation,
        "IncludeSpace": include_space,
        "ExcludeCharacters": excluded,
    }
    kinds = [
        chars
        for chars, skipped in (
            (string.ascii_lowercase, exclude_lower),
            (string.ascii_uppercase, exclude_upper),
            (string.digits, exclude_numbers),
            (string.punctuation, exclude_punctuation),
            (" ", not include_space),
        )
        if not skipped and set(chars) - set(excluded)
    ]
    if not kinds:
        with pytest.raises(TemplateError, match="every character is excluded"):
            random_password(spec, LOC)
        return
    password = random_password(spec, LOC)
    assert len(password) == length
    assert not set(password) & set(excluded)
    allowed = set("".join(kinds))
    assert set(password) <= allowed
    for kind in kinds:  # RequireEachIncludedType defaults to true
        assert set(password) & set(kind)


def test_generate_string_key_puts_the_password_into_the_template():
    value = json.loads(
        generated_secret_string(
            {"SecretStringTemplate": '{"user": "a"}', "GenerateStringKey": "pw", "ExcludePunctuation": True},
            LOC,
        )
    )
    assert value["user"] == "a" and value["pw"].isalnum() and len(value["pw"]) == 32


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"PasswordLength": 0}, "must be between 1 and 4096"),
        ({"PasswordLength": 3}, "too short to include each of the 4 character types"),
        ({"ExcludeNumbers": "maybe"}, "must be true or false"),
        ({"SecretStringTemplate": "[1]", "GenerateStringKey": "k"}, "must be a JSON object"),
        ({"SecretStringTemplate": "{", "GenerateStringKey": "k"}, "is not JSON"),
        ({"PasswordLenght": 10}, "unknown key(s) PasswordLenght"),
    ],
)
def test_bad_generate_secret_string_options_are_named(spec, message):
    with pytest.raises(TemplateError) as raised:
        generated_secret_string(spec, LOC)
    assert str(raised.value).startswith("Resource 'S' property 'GenerateSecretString")
    assert message in str(raised.value)
