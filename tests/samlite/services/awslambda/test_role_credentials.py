"""A running stack hands a function's role credentials to `samlite invoke --endpoint-url` (IAM on: to a
caller allowed iam:PassRole on the role, as giving a role to a function takes on AWS)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from samlite.iam.function_credentials import FunctionCredentials
from samlite.iam.roles import RoleDefinition, create_role
from samlite.provisioning.resources.iam import LAMBDA_TRUST_POLICY
from samlite.services.awslambda.role_credentials import RoleCredentialsError, fetch_role_credentials
from tests.samlite.embedded import ACCOUNT, client, function_spec, running_endpoint, unique

LIST_BUCKETS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
}


@pytest.fixture(scope="module")
def endpoint():
    with running_endpoint(iam=True) as running:
        running.services.role_credentials.credentials_for = FunctionCredentials(running.aws).credentials_for
        yield running


@pytest.fixture(scope="module")
def function(endpoint):
    role = unique("role")
    arn = create_role(
        endpoint.aws.backend("iam"),
        RoleDefinition("Role", role, LAMBDA_TRUST_POLICY, {"list": LIST_BUCKETS_ONLY}),
    )
    spec = function_spec(unique("fn"), role_arn=arn)
    endpoint.services.functions.register(spec)
    return spec


def test_the_functions_own_role_by_name_or_logical_id(endpoint, function) -> None:
    aws = endpoint.aws
    admin = aws.admin_credentials.as_env()
    by_name = fetch_role_credentials(aws.url, function.function_name, admin, aws.region)
    by_id = fetch_role_credentials(aws.url, function.logical_id, admin, aws.region)
    assert by_name.role_arn == by_id.role_arn == function.role_arn
    assert by_name.env == by_id.env  # the session the function's own workers get
    s3 = client(aws, "s3", by_name.env)
    s3.list_buckets()  # its policy allows this...
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.create_bucket(Bucket=unique("not-allowed"))  # ...and nothing more: not the caller's rights


def test_callers_the_stack_does_not_trust_are_refused(endpoint, function) -> None:
    aws = endpoint.aws
    iam = client(aws, "iam")
    user = unique("user")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    stranger = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    with pytest.raises(RoleCredentialsError, match=r"^403 .*"):
        fetch_role_credentials(aws.url, function.function_name, stranger, aws.region)
    with pytest.raises(RoleCredentialsError, match=r"^404 Function not found: nope"):
        fetch_role_credentials(aws.url, "nope", aws.admin_credentials.as_env(), aws.region)
    unsigned = urllib.request.Request(
        f"{aws.url}/_samlite/functions/{function.function_name}/role-credentials", data=b"", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(unsigned, timeout=10)
    assert raised.value.code == 403
    assert json.loads(raised.value.read())["Message"] == "Missing Authentication Token"
    assert ACCOUNT in function.role_arn
