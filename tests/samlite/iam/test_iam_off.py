"""With iam=False (`--no-iam`) everything is allowed and every function gets the admin's key."""

from __future__ import annotations

import pytest

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.iam.function_credentials import FunctionCredentials
from tests.samlite.embedded import client, function_spec, unique


@pytest.fixture(scope="module")
def aws():
    endpoint = EmbeddedAws(port=0, iam=False)
    endpoint.start()
    yield endpoint
    endpoint.stop()


def test_functions_get_admin_credentials_and_everything_is_allowed(aws):
    env = FunctionCredentials(aws).credentials_for(function_spec("any", role_arn=None))
    assert env == aws.admin_credentials.as_env()
    s3 = client(aws, "s3", env)
    bucket = unique("open")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    client(aws, "dynamodb", env).list_tables()


def test_any_key_is_accepted(aws):
    stranger = {"AWS_ACCESS_KEY_ID": "AKIAANYTHINGATALL000", "AWS_SECRET_ACCESS_KEY": "whatever"}
    s3 = client(aws, "s3", stranger)
    bucket = unique("anyone")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
