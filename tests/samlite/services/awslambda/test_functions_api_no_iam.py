"""With IAM off (`samlite start --no-iam`) the Lambda API takes any credentials, as tools written for
`sam local start-lambda` send them (dummy keys such as test/test)."""

from __future__ import annotations

import pytest

from tests.samlite.embedded import client, function_spec, running_endpoint, unique

DUMMY = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


@pytest.fixture(scope="module")
def endpoint():
    with running_endpoint(iam=False) as running:
        yield running


def test_dummy_credentials_work_for_every_call(endpoint):
    name = unique("open")
    endpoint.services.functions.register(function_spec(name))
    lam = client(endpoint.aws, "lambda", DUMMY)
    assert name in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name
    assert lam.get_function_configuration(FunctionName=function_spec(name).logical_id)["FunctionName"] == name
    assert lam.update_function_configuration(FunctionName=name, Timeout=7)["Timeout"] == 7
    assert lam.list_versions_by_function(FunctionName=name)["Versions"][0]["Version"] == "$LATEST"
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204
