"""TransactWriteItems with an undo log of the items it touches answers exactly as moto's own code.

Hypothesis draws random tables and transactions (puts, updates, deletes and condition checks, on two
tables, one with a range key and a stream; failing conditions, ReturnValuesOnConditionCheckFailure,
an item touched twice, a missing table, an invalid update) and runs each on two identical backends:
one with moto's `transact_write_items`, one with samlite's. Both must raise the same error (class,
message, cancellation reasons: "TransactWriteItems", Amazon DynamoDB API Reference) or none, and leave
the same items and the same stream records. A cancelled transaction writes nothing, stream included
("Change data capture for DynamoDB Streams": a stream record is written for each item modification).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from samlite.moto_changes import dynamodb_transactions

PLAIN, RANGED, MISSING = "plain", "ranged", "missing"
KEYS = ["a", "b", "c"]


def moto_original() -> Any:
    current = dynamodb_transactions.CHANGE.patches[0].target.current()
    return getattr(current, "_samlite_moto_original", current)


def new_backend(account: str) -> Any:
    from moto.dynamodb.models import DynamoDBBackend

    backend = DynamoDBBackend("us-east-1", account)
    s = {"AttributeName": "pk", "AttributeType": "S"}
    backend.create_table(
        PLAIN,
        [{"AttributeName": "pk", "KeyType": "HASH"}],
        None,
        [s],
        None,
        None,
        None,
        "PAY_PER_REQUEST",
        None,
        [],
        None,
        None,
    )
    backend.create_table(
        RANGED,
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        None,
        [s, {"AttributeName": "sk", "AttributeType": "S"}],
        None,
        None,
        {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "PAY_PER_REQUEST",
        None,
        [],
        None,
        None,
    )
    return backend


def key_of(table: str, pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}} if table == RANGED else {"pk": {"S": pk}}


tables = st.sampled_from([PLAIN, RANGED, RANGED, MISSING])
conditions = st.sampled_from([None, "attribute_exists(pk)", "attribute_not_exists(pk)", "n < :v", "n = :v"])


@st.composite
def actions(draw: Any) -> dict[str, Any]:
    table, pk, sk = draw(tables), draw(st.sampled_from(KEYS)), draw(st.sampled_from(KEYS))
    kind = draw(st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]))
    condition = draw(conditions)
    if kind == "ConditionCheck" and condition is None:
        condition = "attribute_exists(pk)"
    op: dict[str, Any] = {"TableName": table}
    values: dict[str, Any] = {}
    if condition is not None:
        op["ConditionExpression"] = condition
        if ":v" in condition:
            values[":v"] = {"N": str(draw(st.integers(0, 3)))}
        if draw(st.booleans()):
            op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if kind == "Put":
        op["Item"] = {**key_of(table, pk, sk), "n": {"N": str(draw(st.integers(0, 3)))}}
    else:
        op["Key"] = key_of(table, pk, sk)
    if kind == "Update":
        op["UpdateExpression"] = draw(st.sampled_from(["SET n = :w", "ADD n :w", "SET pk = :w", "REMOVE n"]))
        if "pk" in op["UpdateExpression"]:
            values[":w"] = {"S": "x"}  # updating a key attribute: moto's validation error
        elif "REMOVE" not in op["UpdateExpression"]:
            values[":w"] = {"N": str(draw(st.integers(0, 3)))}
    if values:
        op["ExpressionAttributeValues"] = values
    return {kind: op}


initial = st.lists(
    st.tuples(
        st.sampled_from([PLAIN, RANGED]), st.sampled_from(KEYS), st.sampled_from(KEYS), st.integers(0, 3)
    ),
    max_size=8,
)


def outcome(call: Any) -> Any:
    try:
        call()
    except Exception as error:  # compared as moto renders it
        return type(error).__name__, str(error), getattr(error, "description", None)
    return None


def contents(backend: Any) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for name, table in backend.tables.items():
        items = [item.to_json()["Attributes"] for item in table.all_items()]
        stream = []  # SizeBytes counts the record's timestamp: it differs between any two writes
        for record in table.stream_shard.items if table.stream_shard is not None else ():
            body = {
                k: v
                for k, v in record.record["dynamodb"].items()
                if k not in ("ApproximateCreationDateTime", "SizeBytes")
            }
            stream.append((record.record["eventName"], body))
        state[name] = (sorted(json.dumps(i, sort_keys=True) for i in items), stream)
    return state


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=initial, transactions=st.lists(st.lists(actions(), min_size=1, max_size=6), min_size=1, max_size=4)
)
def test_same_answers_and_same_state_as_motos_code(before: list[Any], transactions: list[Any]) -> None:
    theirs, ours = new_backend("000000000001"), new_backend("000000000002")
    for backend in (theirs, ours):
        for table, pk, sk, n in before:
            backend.put_item(table, {**key_of(table, pk, sk), "n": {"N": str(n)}})
    moto_code = moto_original()
    samlite_code = dynamodb_transactions._transact_write_items(moto_code)
    for transaction in transactions:
        expected = outcome(lambda t=transaction: moto_code(theirs, copy.deepcopy(t)))
        got = outcome(lambda t=transaction: samlite_code(ours, copy.deepcopy(t)))
        assert got == expected
        event(expected[0] if expected else "committed")
        assert contents(ours) == contents(theirs)


def test_a_cancelled_transaction_keeps_the_table_object_and_writes_no_stream_record() -> None:
    backend = new_backend("000000000003")
    table = backend.get_table(RANGED)
    backend.put_item(RANGED, {**key_of(RANGED, "a", "a"), "n": {"N": "1"}})
    transact = dynamodb_transactions._transact_write_items(moto_original())
    with pytest.raises(Exception, match="Transaction cancelled"):
        transact(
            backend,
            [
                {"Put": {"TableName": RANGED, "Item": {**key_of(RANGED, "b", "b"), "n": {"N": "2"}}}},
                {
                    "Update": {
                        "TableName": RANGED,
                        "Key": key_of(RANGED, "a", "a"),
                        "UpdateExpression": "SET n = :v",
                        "ExpressionAttributeValues": {":v": {"N": "5"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": RANGED,
                        "Key": key_of(RANGED, "c", "c"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ],
        )
    assert backend.get_table(RANGED) is table
    assert [item.to_json()["Attributes"]["n"] for item in table.all_items()] == [{"N": "1"}]
    assert len(table.stream_shard.items) == 1  # the first put's INSERT only


def test_what_the_change_calls_has_not_moved_in_moto() -> None:
    """The patched target itself is in the seam's canary (`moto_changes.drifted()`)."""
    assert [target.drift() for target in dynamodb_transactions.CALLED] == [None] * len(
        dynamodb_transactions.CALLED
    )


@pytest.fixture(scope="module")
def endpoint():
    from tests.samlite.embedded import running_endpoint

    with running_endpoint(iam=False) as running:
        yield running.aws


def test_through_the_endpoint_no_table_is_copied(endpoint, monkeypatch) -> None:
    """moto's own code deep-copies every table named (a 500 here); samlite's copies touched items only,
    and a cancelled transaction answers with its cancellation reasons."""
    from botocore.exceptions import ClientError
    from moto.dynamodb.models.table import Table

    from tests.samlite.embedded import client, create_pk_table, unique

    ddb = client(endpoint, "dynamodb")
    name = unique("tx")
    create_pk_table(
        ddb, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "kept"}, "n": {"N": "1"}})

    def no_copy(self: Any, memo: Any) -> Any:
        raise AssertionError("a whole table was deep-copied")

    monkeypatch.setattr(Table, "__deepcopy__", no_copy, raising=False)
    put = {"Put": {"TableName": name, "Item": {"pk": {"S": "new"}, "n": {"N": "2"}}}}
    ddb.transact_write_items(TransactItems=[put])
    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": {"pk": {"S": "other"}}}},
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": {"pk": {"S": "kept"}},
                        "ConditionExpression": "n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    error = cancelled.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in error["CancellationReasons"]] == ["None", "ConditionalCheckFailed"]
    assert error["CancellationReasons"][1]["Item"] == {"pk": {"S": "kept"}, "n": {"N": "1"}}
    keys = sorted(item["pk"]["S"] for item in ddb.scan(TableName=name)["Items"])
    assert keys == ["kept", "new"]
