"""IAM per function: each function's credentials carry exactly its role's policies, enforced over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from botocore.exceptions import ClientError

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.errors import CredentialsError, ProvisionError
from samlite.iam import function_credentials
from samlite.iam.function_credentials import FunctionCredentials
from samlite.iam.roles import RoleDefinition, create_role
from samlite.model import Credentials
from tests.samlite.embedded import client, create_pk_table, function_spec, unique


@pytest.fixture(scope="module")
def aws():
    endpoint = EmbeddedAws(port=0, iam=True)
    endpoint.start()
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="module")
def world(aws):
    """Two buckets with an object each, and a table, created by the admin."""
    s3 = client(aws, "s3")
    allowed, other = unique("allowed"), unique("other")
    for bucket in (allowed, other):
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k.txt", Body=b"data")
    table = unique("table")
    create_pk_table(client(aws, "dynamodb"), table)
    return {"allowed": allowed, "other": other, "table": table}


def _function_with(aws, statements, managed=()):
    name = unique("role")
    arn = create_role(
        aws.backend("iam"),
        RoleDefinition(
            logical_id="FnRole",
            name=name,
            assume_role_policy={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            inline_policies={"FnRolePolicy0": {"Version": "2012-10-17", "Statement": statements}}
            if statements
            else {},
            managed_policy_arns=tuple(managed),
        ),
    )
    return function_spec(unique("fn"), role_arn=arn)


def test_role_allowed_get_object_on_one_bucket_only(aws, world):
    spec = _function_with(
        aws, [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{world['allowed']}/*"}]
    )
    env = FunctionCredentials(aws).credentials_for(spec)
    assert env["AWS_SESSION_TOKEN"]
    s3 = client(aws, "s3", env)
    assert s3.get_object(Bucket=world["allowed"], Key="k.txt")["Body"].read() == b"data"
    with pytest.raises(ClientError) as on_other_bucket:
        s3.get_object(Bucket=world["other"], Key="k.txt")
    assert on_other_bucket.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as put_denied:
        s3.put_object(Bucket=world["allowed"], Key="new.txt", Body=b"x")
    assert put_denied.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as on_dynamodb:
        client(aws, "dynamodb", env).put_item(TableName=world["table"], Item={"pk": {"S": "x"}})
    assert on_dynamodb.value.response["Error"]["Code"] == "AccessDeniedException"


def test_dynamodb_permission_on_the_table_arn(aws, world):
    table_arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{world['table']}"
    spec = _function_with(aws, [{"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": table_arn}])
    ddb = client(aws, "dynamodb", FunctionCredentials(aws).credentials_for(spec))
    ddb.put_item(TableName=world["table"], Item={"pk": {"S": "from-fn"}})
    with pytest.raises(ClientError):
        ddb.get_item(TableName=world["table"], Key={"pk": {"S": "from-fn"}})


def test_admin_can_do_everything(aws, world):
    s3 = client(aws, "s3")
    s3.put_object(Bucket=world["other"], Key="admin.txt", Body=b"x")
    client(aws, "dynamodb").put_item(TableName=world["table"], Item={"pk": {"S": "admin"}})
    client(aws, "sqs").create_queue(QueueName=unique("q"))


def test_aws_managed_policy_is_loaded_on_demand(aws, world):
    spec = _function_with(aws, [], managed=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
    s3 = client(aws, "s3", FunctionCredentials(aws).credentials_for(spec))
    assert s3.get_object(Bucket=world["other"], Key="k.txt")["Body"].read() == b"data"
    with pytest.raises(ClientError):
        s3.put_object(Bucket=world["other"], Key="nope.txt", Body=b"x")


def test_unknown_managed_policy_is_a_provision_error(aws):
    with pytest.raises(ProvisionError, match="FnRole: unknown AWS managed policy"):
        _function_with(aws, [], managed=["arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"])


def test_duplicate_role_name_is_a_provision_error(aws):
    role = RoleDefinition("First", unique("dup"), {"Version": "2012-10-17", "Statement": []}, {})
    create_role(aws.backend("iam"), role)
    with pytest.raises(ProvisionError, match="already used"):
        create_role(aws.backend("iam"), role)


def test_credentials_are_cached_per_role_and_renewed_before_expiry(aws, monkeypatch):
    spec = _function_with(aws, [])
    provider = FunctionCredentials(aws)
    first = provider.credentials_for(spec)
    assert provider.credentials_for(spec) == first
    soon = datetime.now(UTC) + timedelta(seconds=function_credentials.RENEW_WHEN_LEFT_SECONDS - 5)
    provider._sessions[spec.role_arn] = Credentials(
        first["AWS_ACCESS_KEY_ID"], first["AWS_SECRET_ACCESS_KEY"], first["AWS_SESSION_TOKEN"], soon
    )
    renewed = provider.credentials_for(spec)
    assert renewed["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"]


def test_function_without_role_or_with_missing_role_is_a_clear_error(aws):
    provider = FunctionCredentials(aws)
    with pytest.raises(CredentialsError, match="no execution role"):
        provider.credentials_for(function_spec("roleless"))
    with pytest.raises(CredentialsError, match="does not exist"):
        provider.credentials_for(function_spec("ghost", role_arn="arn:aws:iam::123456789012:role/ghost-role"))


def test_presigned_urls_carry_the_signers_permissions(aws, world):
    spec = _function_with(
        aws, [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{world['allowed']}/*"}]
    )
    s3 = client(aws, "s3", FunctionCredentials(aws).credentials_for(spec))
    good = s3.generate_presigned_url("get_object", Params={"Bucket": world["allowed"], "Key": "k.txt"})
    assert requests.get(good, timeout=10).content == b"data"
    bad = s3.generate_presigned_url("get_object", Params={"Bucket": world["other"], "Key": "k.txt"})
    denied = requests.get(bad, timeout=10)
    assert denied.status_code == 403 and b"AccessDenied" in denied.content


def test_presigned_post_is_verified_and_authorized(aws, world):
    admin_s3 = client(aws, "s3")
    post = admin_s3.generate_presigned_post(world["allowed"], "uploads/form.txt")
    response = requests.post(post["url"], data=post["fields"], files={"file": b"from a form"}, timeout=10)
    assert response.status_code in (200, 204), response.text
    assert (
        admin_s3.get_object(Bucket=world["allowed"], Key="uploads/form.txt")["Body"].read() == b"from a form"
    )
    tampered = dict(post["fields"], policy=post["fields"]["policy"][:-4] + "AAAA")
    refused = requests.post(post["url"], data=tampered, files={"file": b"x"}, timeout=10)
    assert refused.status_code == 403 and b"SignatureDoesNotMatch" in refused.content


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_presigned_url_signatures_are_verified(aws, world, signature_version):
    spec = _function_with(
        aws, [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{world['allowed']}/*"}]
    )
    env = FunctionCredentials(aws).credentials_for(spec)  # with a session token
    for credentials in (env, aws.admin_credentials.as_env()):
        url = client(aws, "s3", credentials, signature_version).generate_presigned_url(
            "get_object",
            Params={"Bucket": world["allowed"], "Key": "k.txt", "ResponseContentType": "text/plain"},
        )
        assert requests.get(url, timeout=10).content == b"data", url
        sig_param = "X-Amz-Signature=" if signature_version == "s3v4" else "Signature="
        before, after = url.split(sig_param)
        tampered = before + sig_param + ("0" * 8) + after[8:]
        refused = requests.get(tampered, timeout=10)
        assert refused.status_code == 403 and b"SignatureDoesNotMatch" in refused.content
        other_key = url.replace("/k.txt?", "/other.txt?")
        assert b"SignatureDoesNotMatch" in requests.get(other_key, timeout=10).content


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_presigned_put_with_content_type(aws, world, signature_version):
    s3 = client(aws, "s3", signature_version=signature_version)
    params = {"Bucket": world["allowed"], "Key": f"put/{signature_version}.png", "ContentType": "image/png"}
    url = s3.generate_presigned_url("put_object", Params=params)
    response = requests.put(url, data=b"\x89PNG", headers={"Content-Type": "image/png"}, timeout=10)
    assert response.status_code == 200, response.content
    head = client(aws, "s3").head_object(Bucket=world["allowed"], Key=params["Key"])
    assert head["ContentType"] == "image/png"
    wrong_type = requests.put(url, data=b"x", headers={"Content-Type": "text/html"}, timeout=10)
    assert wrong_type.status_code == 403


def test_expired_presigned_url_is_refused(aws, world):
    url = client(aws, "s3").generate_presigned_url(
        "get_object", Params={"Bucket": world["allowed"], "Key": "k.txt"}, ExpiresIn=-10
    )
    response = requests.get(url, timeout=10)
    assert response.status_code == 403 and b"expired" in response.content


def test_anonymous_requests_are_denied(aws, world):
    response = requests.get(f"{aws.url}/{world['allowed']}/k.txt", timeout=10)
    assert response.status_code == 403 and b"AccessDenied" in response.content


def test_role_policies_visible_through_the_iam_api(aws):
    spec = _function_with(aws, [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}])
    role_name = spec.role_arn.rsplit("/", 1)[-1]
    document = client(aws, "iam").get_role_policy(RoleName=role_name, PolicyName="FnRolePolicy0")[
        "PolicyDocument"
    ]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"][0]["Action"] == "sqs:SendMessage"
