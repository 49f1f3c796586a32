"""Resource-level IAM for DynamoDB in moto: policies scoped to a table's ARN work as on AWS.

moto checks DynamoDB calls against the resource "*" (its DynamoHandler has no `_determine_resource`),
so a policy allowing `dynamodb:PutItem` on `arn:aws:dynamodb:...:table/Catalog`, exactly what SAM's
DynamoDBCrudPolicy template expands to, would be denied everything. This gives the handler the
resource AWS authorizes: the table's ARN, or `table/NAME/index/INDEX` for Query/Scan on an index.
Batch and transaction calls name several tables: `dynamodb_transaction_iam` checks each of them.
"""

from __future__ import annotations

from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target


def _determine_resource(self: Any) -> str:
    params = getattr(self, "params", None) or {}
    table = table_of(params)
    if table is None:
        return "*"
    if table.startswith("arn:"):
        arn = table
    else:
        arn = f"arn:aws:dynamodb:{self.region}:{self.current_account}:table/{table}"
    index = params.get("IndexName")
    return f"{arn}/index/{index}" if index else arn


def table_of(params: dict[str, Any]) -> str | None:
    """The table a DynamoDB request's parameters name (TableName, or the first of a batch)."""
    if isinstance(params.get("TableName"), str):
        return str(params["TableName"])
    for key in ("RequestItems", "TransactItems"):
        items = params.get(key)
        if isinstance(items, dict) and items:
            return str(next(iter(items)))
        if isinstance(items, list) and items:
            first = next(iter(items[0].values()), {}) if isinstance(items[0], dict) else {}
            if isinstance(first, dict) and isinstance(first.get("TableName"), str):
                return str(first["TableName"])
    if isinstance(params.get("ResourceArn"), str):
        return str(params["ResourceArn"])
    return None


CHANGE = MotoChange(
    name="dynamodb-iam-resource",
    reason="moto checks every DynamoDB call against resource '*', so table-scoped policies deny all",
    # moto's DynamoHandler defines no `_determine_resource` (BaseResponse then checks resource "*").
    patches=(
        Patch(
            Target("moto.dynamodb.responses:DynamoHandler._determine_resource", None),
            lambda _: _determine_resource,
        ),
    ),
    service="dynamodb",
)
