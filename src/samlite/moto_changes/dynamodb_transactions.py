"""TransactWriteItems that copies the items it touches, not every table it names.

moto 5.2.5's `DynamoDBBackend.transact_write_items` takes a `copy.deepcopy` of each table a
transaction names before running it, to put the copy in the table's place if the transaction is
cancelled. Its cost follows the table, not the transaction: a 10,000-object backfill with the stream
on (one transaction per stream batch) grew the process to 11 GB, and a copy taken while another request
wrote to the table raised "dictionary changed size during iteration" (HTTP 500). Replacing the table
object also orphans whatever held the old one.

This runs moto's own loop (the same checks in the same order, moto's own PutItem / UpdateItem /
DeleteItem, the same errors: `TransactionCanceledException` with one cancellation reason per action,
or `MultipleTransactionsException` / a validation error re-raised), with a different undo log: before
an action runs, a copy of the one item it touches (or its absence) and the length of the table's
stream. A cancelled transaction puts those items back, drops the stream records it appended (DynamoDB
writes none for a cancelled transaction) and leaves the table object where it is. A transaction never
touches an item twice (moto refuses that first), so each copy is the item as it was before the
transaction. The whole transaction holds the lock every table write takes (`dynamodb_query.write_lock`),
so no other write interleaves with it or with its undo. Reads outside that lock (GetItem, Scan) can
still see a transaction half-way, as with moto's own code.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from samlite.moto_changes import dynamodb_query
from samlite.moto_changes.seam import MotoChange, Patch, Target

_WRITES = {"ConditionCheck", "Put", "Delete", "Update"}


@dataclass
class _Before:
    """One item as it was before the transaction: `item` None when absent; `had_partition` tells
    whether a range-keyed table had any item under the hash key (moto keeps a dict per hash key)."""

    table: Any
    key: dict[str, Any]
    item: Any
    had_partition: bool


@dataclass
class _UndoLog:
    items: list[_Before]
    streams: dict[int, tuple[Any, int]]  # id(table) -> (table, stream length before)

    def remember(self, table: Any, key: dict[str, Any], current: Any) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        had = table.range_key_attr is not None and DynamoType(key[table.hash_key_attr]) in table.items
        self.items.append(_Before(table, key, copy.deepcopy(current), had))
        shard = table.stream_shard
        if shard is not None and id(table) not in self.streams:
            self.streams[id(table)] = (table, len(shard.items))

    def undo(self) -> None:
        for before in reversed(self.items):
            _put_back(before)
            dynamodb_query.item_replaced(before.table, before.key)
        for table, length in self.streams.values():
            if table.stream_shard is not None:
                del table.stream_shard.items[length:]


def _put_back(before: _Before) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    table, key = before.table, before.key
    hash_value = DynamoType(key[table.hash_key_attr])
    if table.range_key_attr is None:
        if before.item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = before.item
        return
    range_value = DynamoType(key[table.range_key_attr])
    partition = table.items.get(hash_value)
    if before.item is not None:
        table.items[hash_value][range_value] = before.item
    elif partition is not None:
        partition.pop(range_value, None)
        if not partition and not before.had_partition:
            del table.items[hash_value]


def _transact_write_items(original: Callable[..., None]) -> Callable[..., None]:
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with dynamodb_query.write_lock():
            _run(self, transact_items)

    transact_write_items._samlite_moto_original = original  # type: ignore[attr-defined]
    return transact_write_items


def _run(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's `transact_write_items`, step for step, with the undo log in place of table copies."""
    from moto.dynamodb.exceptions import (
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = _UndoLog([], {})
    touched: set[tuple[str, str]] = set()
    reasons: list[_Reason] = []
    for item in transact_items:
        if len(list(item.keys())) > 1:
            undo.undo()  # moto leaves the actions before it applied; DynamoDB applies none
            raise TransactWriteSingleOpException
        try:
            reasons.append(_action(backend, item, touched, undo))
        except (MultipleTransactionsException, MockValidationException):
            undo.undo()
            raise
    if any(code is not None for code, _, _ in reasons):
        undo.undo()
        raise TransactionCanceledException(reasons)


_Reason = tuple[str, str, Any] | tuple[None, None, None]


def _action(backend: Any, item: dict[str, Any], touched: set[tuple[str, str]], undo: _UndoLog) -> _Reason:
    """One action, as moto's loop body runs it: its cancellation reason (None, None, None when it
    succeeded); an item touched twice and validation errors propagate (the whole call fails)."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
    )

    original_item: dict[str, Any] | None = None
    try:
        op_type, op = next(iter(item.items()))
        if op_type not in _WRITES:
            raise ValueError("Unsupported transaction operation")
        table_name = op["TableName"]
        key = _key(backend, op_type, op)
        unique = (str(table_name), str(dict(sorted(key.items()))))
        if unique in touched:
            raise MultipleTransactionsException()
        touched.add(unique)
        current = backend.get_item(table_name, key)
        if op_type != "ConditionCheck":
            undo.remember(backend.get_table(table_name), key, current)
        condition = op.get("ConditionExpression")
        if condition is not None:
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if not get_filter_expression(condition, names, values).expr(current):
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    original_item = current.to_json()["Attributes"]
                raise ConditionalCheckFailed(item=original_item)
        _write(backend, op_type, op, key)
        return (None, None, None)
    except (MultipleTransactionsException, MockValidationException):
        raise
    except ConditionalCheckFailed as e:
        return ("ConditionalCheckFailed", str(e.message), original_item)
    except Exception as e:  # moto reports any other failure as the action's reason
        return (type(e).__name__, str(e), original_item)


def _key(backend: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    attrs = op["Item"]
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _write(backend: Any, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    common = {
        "condition_expression": op.get("ConditionExpression"),
        "expression_attribute_names": op.get("ExpressionAttributeNames"),
        "expression_attribute_values": op.get("ExpressionAttributeValues"),
    }
    if op_type == "Put":
        backend.put_item(op["TableName"], op["Item"], **common)
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key, **common)
    elif op_type == "Update":
        backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"], **common)


CHANGE = MotoChange(
    name="dynamodb-transactions",
    reason="moto's TransactWriteItems deep-copies every table it names (memory and 500s under load)",
    patches=(
        Patch(
            Target("moto.dynamodb.models:DynamoDBBackend.transact_write_items", "(self, transact_items)"),
            _transact_write_items,
        ),
    ),
    service="dynamodb",
)

# moto's code this calls, as it calls it (writes by keyword): the canary checks these too.
_BACKEND = "moto.dynamodb.models:DynamoDBBackend"
CALLED = (
    Target(
        f"{_BACKEND}.put_item",
        "(self, table_name, item_attrs, expected=None, condition_expression=None, "
        "expression_attribute_names=None, expression_attribute_values=None, overwrite=False, "
        "return_values_on_condition_check_failure=None)",
    ),
    Target(
        f"{_BACKEND}.delete_item",
        "(self, table_name, key, expression_attribute_names=None, expression_attribute_values=None, "
        "condition_expression=None, return_values_on_condition_check_failure=None)",
    ),
    Target(
        f"{_BACKEND}.update_item",
        "(self, table_name, key, update_expression, expression_attribute_names, "
        "expression_attribute_values, attribute_updates=None, expected=None, condition_expression=None, "
        "return_values_on_condition_check_failure=None)",
    ),
    Target(f"{_BACKEND}.get_item", "(self, table_name, keys, projection_expressions=None)"),
    Target(f"{_BACKEND}.get_table", "(self, table_name)"),
    Target("moto.dynamodb.comparisons:get_filter_expression", "(expr, names, values)"),
)
