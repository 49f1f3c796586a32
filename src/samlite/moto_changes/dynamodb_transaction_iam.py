"""DynamoDB transactions and batches are authorised by what they hold, on each table they name.

IAM has no `dynamodb:TransactWriteItems` or `dynamodb:TransactGetItems` action: AWS authorises a
transaction by the actions it contains, on the table each one names ("Using IAM with DynamoDB
transactions", Amazon DynamoDB Developer Guide: "Permissions for Put, Update, Delete, and Get actions
are governed by the permissions used for the underlying PutItem, UpdateItem, DeleteItem, and GetItem
operations. For the ConditionCheck action, you can use the dynamodb:ConditionCheckItem permission").
moto asks for the operation's own name on one resource, so a role with exactly AWS's policy is
denied, and a role granted the nonexistent action passes locally and fails on AWS.

BatchWriteItem and BatchGetItem are IAM actions of their own, but on every table of the request
("Actions, resources, and condition keys for Amazon DynamoDB", Service Authorization Reference:
resource type `table*`), where moto checks only the first. Each (action, table ARN) pair is checked
with moto's own check, signature included, and the request is denied if any one is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

# What each element of TransactItems is authorised as.
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_BATCHES = ("BatchWriteItem", "BatchGetItem")


def required(
    operation: str, params: dict[str, Any], table_arn: Callable[[str], str]
) -> list[tuple[str, str]]:
    """The (IAM action, resource) pairs a DynamoDB request needs, in first-seen order, each once; empty
    when the operation is authorised as itself on one resource (moto's own check)."""
    if operation in ("TransactWriteItems", "TransactGetItems"):
        pairs = _transaction_pairs(params.get("TransactItems"), table_arn)
    elif operation in _BATCHES and isinstance(params.get("RequestItems"), dict):
        pairs = ((f"dynamodb:{operation}", table_arn(str(table))) for table in params["RequestItems"])
    else:
        return []
    return list(dict.fromkeys(pairs))


def _transaction_pairs(items: Any, table_arn: Callable[[str], str]) -> Iterator[tuple[str, str]]:
    for item in items if isinstance(items, list) else ():
        for kind, request in item.items() if isinstance(item, dict) else ():
            if kind in _TRANSACT_ACTIONS and isinstance(request, dict) and request.get("TableName"):
                yield f"dynamodb:{_TRANSACT_ACTIONS[kind]}", table_arn(str(request["TableName"]))


def _by_contained_actions(original: Callable[..., None] | None) -> Callable[..., None]:
    def authorise(self: Any, resource: str = "*") -> None:
        from moto.iam.access_control import IAMRequest

        def table_arn(table: str) -> str:
            if table.startswith("arn:"):
                return table
            return f"arn:aws:dynamodb:{self.region}:{self.current_account}:table/{table}"

        pairs = required(self._get_action(), getattr(self, "params", None) or {}, table_arn)
        if not pairs:
            self._authenticate_and_authorize_action(IAMRequest, resource)
            return
        for action, arn in pairs:
            self._authenticate_and_authorize_action(_as_action(IAMRequest, action), arn)

    return authorise


def _as_action(request_cls: type, action: str) -> Callable[..., Any]:
    """moto's IAMRequest asking for `action` (`dynamodb:PutItem`) instead of the operation's name (it
    prefixes the service of the request's credential scope, `dynamodb`)."""
    name = action.partition(":")[2]

    def make(**kwargs: Any) -> Any:
        return request_cls(**{**kwargs, "action": name})

    return make


CHANGE = MotoChange(
    name="dynamodb-transaction-iam",
    reason="moto authorises DynamoDB transactions as the operation's name (no such IAM action) and "
    "batches on their first table only",
    # DynamoHandler inherits `_authenticate_and_authorize_normal_action` (ActionAuthenticatorMixin);
    # this defines it on the handler, and the mixin's check it calls is recorded here too.
    patches=(
        Patch(
            Target("moto.dynamodb.responses:DynamoHandler._authenticate_and_authorize_normal_action", None),
            _by_contained_actions,
        ),
    ),
    service="dynamodb",
)

# What the change calls for each pair, as it calls it (keyword `action`): the canary checks these too.
CALLED = (
    Target(
        "moto.core.authorization:ActionAuthenticatorMixin._authenticate_and_authorize_action",
        "(self, iam_request_cls, resource='*')",
    ),
    Target(
        "moto.iam.access_control:IAMRequestBase.__init__",
        "(self, account_id, method, path, data, body, headers, action)",
    ),
)
