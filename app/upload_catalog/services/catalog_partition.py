"""The reconcile's side of the catalog table: its bucket's partition in key order, and guarded writes.

Reads are one Query per page on the table's own key (partition ``bucket``, sort ``key``), strongly
consistent, projecting only what a comparison needs; never a Scan. Writes are PutItem with the condition
of ``controllers.reconcile_repair`` (rule 2): the stored item is exactly the one read, i.e. its
``sequencer`` and ``reconciled_at`` stamp are unchanged, or it is still absent. The written item carries
the new stamp; an event's PutItem (``services.catalog_table``) replaces the whole item and so drops it.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from upload_catalog.models import CatalogItem
from upload_catalog.reconcile_models import CatalogRow, RowPage
from upload_catalog.services.catalog_table import to_attributes

#: The attribute of a reconcile write's stamp (milliseconds since the epoch).
RECONCILED_AT = "reconciled_at"
_NAMES = {
    "#b": "bucket",
    "#k": "key",
    "#d": "deleted",
    "#q": "sequencer",
    "#s": "size",
    "#e": "etag",
    "#v": "version_id",
    "#r": RECONCILED_AT,
}


def _text(item: dict[str, dict[str, Any]], name: str) -> str | None:
    value = item.get(name)
    return value.get("S") if value else None


def _number(item: dict[str, dict[str, Any]], name: str) -> int | None:
    value = item.get(name)
    return int(value["N"]) if value and "N" in value else None


def row_from_item(item: dict[str, dict[str, Any]]) -> CatalogRow:
    return CatalogRow(
        key=_text(item, "key") or "",
        live=not item.get("deleted", {}).get("BOOL", False),
        sequencer=_text(item, "sequencer") or "",
        size=_number(item, "size"),
        etag=_text(item, "etag"),
        version_id=_text(item, "version_id"),
        reconciled_at=_number(item, RECONCILED_AT),
    )


class DynamoCatalogPartition:
    """Implements ``controllers.reconcile_ports.CatalogPartition`` over a boto3 DynamoDB client."""

    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._ddb = dynamodb_client
        self._table = table_name

    def rows_page(self, bucket: str, after_key: str | None, limit: int) -> RowPage:
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#b = :b",
            "ProjectionExpression": "#k, #d, #q, #s, #e, #v, #r",
            "ExpressionAttributeNames": _NAMES,
            "ExpressionAttributeValues": {":b": {"S": bucket}},
            "ConsistentRead": True,
            "Limit": limit,
        }
        if after_key is not None:
            params["ExclusiveStartKey"] = {"bucket": {"S": bucket}, "key": {"S": after_key}}
        response = self._ddb.query(**params)
        last = response.get("LastEvaluatedKey")
        return RowPage(
            [row_from_item(item) for item in response.get("Items", [])],
            last["key"]["S"] if last else None,
        )

    def put_if_unchanged(self, item: CatalogItem, *, expected: CatalogRow | None, reconciled_at: int) -> bool:
        attributes = to_attributes(item)
        attributes[RECONCILED_AT] = {"N": str(reconciled_at)}
        names = {"#k": "key"}
        values: dict[str, dict[str, str]] = {}
        if expected is None:
            condition = "attribute_not_exists(#k)"
        else:
            names.update({"#q": "sequencer", "#r": RECONCILED_AT})
            values[":q"] = {"S": expected.sequencer}
            condition = "attribute_exists(#k) AND #q = :q AND "
            if expected.reconciled_at is None:
                condition += "attribute_not_exists(#r)"
            else:
                condition += "#r = :r"
                values[":r"] = {"N": str(expected.reconciled_at)}
        params: dict[str, Any] = {
            "TableName": self._table,
            "Item": attributes,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
        }
        if values:
            params["ExpressionAttributeValues"] = values
        try:
            self._ddb.put_item(**params)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
