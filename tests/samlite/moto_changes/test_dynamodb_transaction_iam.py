"""DynamoDB transactions are authorised by the actions they hold, batches on every table they name.

Pinned by "Using IAM with DynamoDB transactions" (Amazon DynamoDB Developer Guide): Put, Update, Delete
and Get in a transaction need PutItem, UpdateItem, DeleteItem and GetItem, ConditionCheck needs
dynamodb:ConditionCheckItem, on the table each names; IAM has no dynamodb:TransactWriteItems action.
BatchWriteItem / BatchGetItem are checked on every table ("Actions, resources, and condition keys for
Amazon DynamoDB", Service Authorization Reference).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.iam.function_credentials import FunctionCredentials
from samlite.iam.roles import RoleDefinition, create_role
from samlite.moto_changes import dynamodb_transaction_iam
from tests.samlite.embedded import client, create_pk_table, function_spec, unique

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


@pytest.fixture(scope="module")
def aws():
    endpoint = EmbeddedAws(port=0, iam=True)
    endpoint.start()
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="module")
def tables(aws) -> tuple[str, str]:
    names = unique("first"), unique("second")
    for name in names:
        create_pk_table(client(aws, "dynamodb"), name)
    return names


def arn(table: str) -> str:
    return f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}"


def dynamodb_as(aws, statements: list[dict]):
    """A DynamoDB client signed with a function role holding exactly `statements`."""
    role = create_role(
        aws.backend("iam"),
        RoleDefinition(
            logical_id="FnRole",
            name=unique("role"),
            assume_role_policy=TRUST,
            inline_policies={"Policy": {"Version": "2012-10-17", "Statement": statements}},
            managed_policy_arns=(),
        ),
    )
    return client(
        aws, "dynamodb", FunctionCredentials(aws).credentials_for(function_spec(unique("fn"), role_arn=role))
    )


def allow(actions: list[str], *tables: str) -> dict:
    return {
        "Effect": "Allow",
        "Action": [f"dynamodb:{a}" for a in actions],
        "Resource": [arn(t) for t in tables],
    }


def transaction(first: str, second: str) -> list[dict]:
    return [
        {"Put": {"TableName": first, "Item": {"pk": {"S": unique("put")}}}},
        {
            "Update": {
                "TableName": second,
                "Key": {"pk": {"S": "n"}},
                "UpdateExpression": "ADD c :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {
            "ConditionCheck": {
                "TableName": first,
                "Key": {"pk": {"S": "absent"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ]


def denied(call) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    return raised.value.response["Error"]["Message"]


def test_awss_documented_policy_allows_a_transaction(aws, tables) -> None:
    """Example 1 of the guide: the contained actions on the table, no TransactWriteItems."""
    first, second = tables
    ddb = dynamodb_as(
        aws, [allow(["PutItem", "ConditionCheckItem"], first), allow(["UpdateItem", "GetItem"], second)]
    )
    ddb.transact_write_items(TransactItems=transaction(first, second))
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": second, "Key": {"pk": {"S": "n"}}}}])
    assert got["Responses"][0]["Item"]["c"] == {"N": "1"}


@pytest.mark.parametrize("missing", ["PutItem", "ConditionCheckItem"])
def test_each_contained_action_is_needed_on_its_own_table(aws, tables, missing) -> None:
    first, second = tables
    kept = [a for a in ("PutItem", "ConditionCheckItem") if a != missing]
    ddb = dynamodb_as(aws, [allow(kept, first), allow(["UpdateItem"], second)])
    message = denied(lambda: ddb.transact_write_items(TransactItems=transaction(first, second)))
    assert f"dynamodb:{missing}" in message


def test_an_action_on_the_other_table_does_not_count(aws, tables) -> None:
    first, second = tables
    ddb = dynamodb_as(aws, [allow(["PutItem", "ConditionCheckItem", "UpdateItem"], first)])
    message = denied(lambda: ddb.transact_write_items(TransactItems=transaction(first, second)))
    assert "dynamodb:UpdateItem" in message


def test_the_operation_name_grants_nothing(aws, tables) -> None:
    """dynamodb:TransactWriteItems / TransactGetItems are not IAM actions: granting them allows nothing."""
    first, second = tables
    ddb = dynamodb_as(aws, [allow(["TransactWriteItems", "TransactGetItems"], first, second)])
    denied(lambda: ddb.transact_write_items(TransactItems=transaction(first, second)))
    denied(
        lambda: ddb.transact_get_items(
            TransactItems=[{"Get": {"TableName": first, "Key": {"pk": {"S": "x"}}}}]
        )
    )


def test_a_batch_needs_its_action_on_every_table(aws, tables) -> None:
    first, second = tables
    ddb = dynamodb_as(aws, [allow(["BatchWriteItem"], first)])
    one = {first: [{"PutRequest": {"Item": {"pk": {"S": unique("b")}}}}]}
    ddb.batch_write_item(RequestItems=one)
    both = {**one, second: [{"PutRequest": {"Item": {"pk": {"S": unique("b")}}}}]}
    assert "dynamodb:BatchWriteItem" in denied(lambda: ddb.batch_write_item(RequestItems=both))


def test_what_the_change_calls_has_not_moved_in_moto() -> None:
    """The patched target itself is in the seam's canary (`moto_changes.drifted()`)."""
    assert [t.drift() for t in dynamodb_transaction_iam.CALLED] == [None, None]
