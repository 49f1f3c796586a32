"""sts:AssumeRole over the endpoint answers as STS does: allowed or AccessDenied, never a 500.

IAM User Guide, "Policy evaluation logic" (and "Cross-account policy evaluation logic"): "For most
resources, you only need an explicit allow for the principal in either an identity-based policy or a
resource-based policy [...] IAM role trust policies and KMS key policies are exceptions to this logic,
because they must explicitly allow access for principals." A trust policy naming the account
(`arn:aws:iam::ACCOUNT:root`) delegates the decision to the caller's own policies; one naming the
caller's ARN grants it directly; one naming only a service (`lambda.amazonaws.com`) lets no user in,
however broad its permissions ("AWS JSON policy elements: Principal").
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from samlite.iam.admin import ADMIN_USER_NAME
from tests.samlite.embedded import ACCOUNT, client, running_endpoint, unique

LAMBDA_TRUST = {"Service": "lambda.amazonaws.com"}
ACCOUNT_ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ADMIN_ARN = f"arn:aws:iam::{ACCOUNT}:user/{ADMIN_USER_NAME}"


@pytest.fixture(scope="module")
def aws():
    with running_endpoint() as endpoint:
        yield endpoint.aws


def _role(aws, *statements: dict) -> str:
    name = unique("assumable")
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    role = client(aws, "iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document))
    return role["Role"]["Arn"]


def _allow(principal: object, **extra: object) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}


def _user(aws, *statements: dict) -> dict[str, str]:
    iam = client(aws, "iam")
    name = unique("user")
    iam.create_user(UserName=name)
    if statements:
        document = {"Version": "2012-10-17", "Statement": list(statements)}
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def _denied(call) -> None:
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_a_role_only_a_service_may_assume_is_access_denied_for_the_administrator(aws) -> None:
    role = _role(aws, _allow(LAMBDA_TRUST))
    _denied(lambda: client(aws, "sts").assume_role(RoleArn=role, RoleSessionName="admin"))


def test_the_administrator_assumes_a_role_that_trusts_its_account(aws) -> None:
    role = _role(aws, _allow(LAMBDA_TRUST), _allow({"AWS": ACCOUNT_ROOT}))
    assumed = client(aws, "sts").assume_role(RoleArn=role, RoleSessionName="admin")["Credentials"]
    session = {
        "AWS_ACCESS_KEY_ID": assumed["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": assumed["SecretAccessKey"],
        "AWS_SESSION_TOKEN": assumed["SessionToken"],
    }
    identity = client(aws, "sts", session).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role.rsplit('/', 1)[1]}/admin"


def test_trusting_the_account_leaves_the_decision_to_the_callers_policies(aws) -> None:
    role = _role(aws, _allow({"AWS": ACCOUNT}))
    nobody = _user(aws)
    _denied(lambda: client(aws, "sts", nobody).assume_role(RoleArn=role, RoleSessionName="sess"))
    allowed = _user(aws, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role})
    assert client(aws, "sts", allowed).assume_role(RoleArn=role, RoleSessionName="sess")["Credentials"]


def test_a_trust_policy_naming_the_caller_is_enough_on_its_own(aws) -> None:
    user = _user(aws)
    arn = client(aws, "sts", user).get_caller_identity()["Arn"]
    role = _role(aws, _allow({"AWS": [arn]}))
    assert client(aws, "sts", user).assume_role(RoleArn=role, RoleSessionName="sess")["Credentials"]


def test_explicit_denies_win(aws) -> None:
    trust_denies = _role(aws, _allow({"AWS": ACCOUNT_ROOT}), {**_allow({"AWS": ADMIN_ARN}), "Effect": "Deny"})
    _denied(lambda: client(aws, "sts").assume_role(RoleArn=trust_denies, RoleSessionName="sess"))
    role = _role(aws, _allow({"AWS": "*"}))
    user = _user(aws, {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"})
    _denied(lambda: client(aws, "sts", user).assume_role(RoleArn=role, RoleSessionName="sess"))


def test_trust_conditions_are_checked(aws) -> None:
    role = _role(aws, _allow({"AWS": ACCOUNT_ROOT}, Condition={"StringEquals": {"sts:ExternalId": "x-1"}}))
    sts = client(aws, "sts")
    _denied(lambda: sts.assume_role(RoleArn=role, RoleSessionName="sess"))
    _denied(lambda: sts.assume_role(RoleArn=role, RoleSessionName="sess", ExternalId="other"))
    assert sts.assume_role(RoleArn=role, RoleSessionName="sess", ExternalId="x-1")["Credentials"]


def test_a_role_session_is_trusted_through_its_roles_arn(aws) -> None:
    first = _role(aws, _allow({"AWS": ACCOUNT_ROOT}))
    second = _role(aws, _allow({"AWS": first}))
    assumed = client(aws, "sts").assume_role(RoleArn=first, RoleSessionName="hop")["Credentials"]
    session = {
        "AWS_ACCESS_KEY_ID": assumed["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": assumed["SecretAccessKey"],
        "AWS_SESSION_TOKEN": assumed["SessionToken"],
    }
    assert client(aws, "sts", session).assume_role(RoleArn=second, RoleSessionName="s2")["Credentials"]


def test_conditions_samlite_cannot_evaluate_never_grant(aws) -> None:
    """A condition operator outside the string family fails closed (an Allow with it grants nothing)."""
    role = _role(
        aws,
        _allow(
            {"AWS": ACCOUNT_ROOT}, Condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00Z"}}
        ),
    )
    _denied(lambda: client(aws, "sts").assume_role(RoleArn=role, RoleSessionName="sess"))
    named = _role(
        aws, _allow({"AWS": ACCOUNT_ROOT}, Condition={"StringLike": {"sts:RoleSessionName": "ci-*"}})
    )
    _denied(lambda: client(aws, "sts").assume_role(RoleArn=named, RoleSessionName="laptop"))
    assert client(aws, "sts").assume_role(RoleArn=named, RoleSessionName="ci-42")["Credentials"]
