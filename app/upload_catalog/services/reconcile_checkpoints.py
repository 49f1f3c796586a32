"""The reconcile's checkpoint table (``ReconcileCheckpointTable``, partition key ``bucket``): one item per
bucket, written only by the reconcile function.

The checkpoint is one JSON document (``reconcile_models.checkpoint_document``) plus, for the condition
and for an operator reading the table, its ``revision``, ``run_id``, ``status`` and ``position``. Every
save is a PutItem conditional on the stored revision: optimistic concurrency between invocations.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from upload_catalog.reconcile_models import Checkpoint, checkpoint_document, checkpoint_from_document

KEY = "bucket"


def checkpoint_key(bucket: str) -> dict[str, dict[str, str]]:
    return {KEY: {"S": bucket}}


class DynamoCheckpointStore:
    """Implements ``controllers.reconcile_ports.CheckpointStore`` over a boto3 DynamoDB client."""

    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._ddb = dynamodb_client
        self._table = table_name

    def load(self, bucket: str) -> Checkpoint | None:
        response = self._ddb.get_item(TableName=self._table, Key=checkpoint_key(bucket), ConsistentRead=True)
        item = response.get("Item")
        if not item:
            return None
        try:
            return checkpoint_from_document(item["document"]["S"])
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(
                f"the reconcile checkpoint of {bucket} in {self._table} is unreadable ({err}); "
                "delete the item to start afresh"
            ) from err

    def save(self, bucket: str, checkpoint: Checkpoint, *, expected_revision: int | None) -> bool:
        item: dict[str, dict[str, Any]] = {
            **checkpoint_key(bucket),
            "document": {"S": checkpoint_document(checkpoint)},
            "revision": {"N": str(checkpoint.revision)},
            "run_id": {"S": checkpoint.run_id},
            "status": {"S": checkpoint.status},
        }
        if checkpoint.cursor.position is not None:
            item["position"] = {"S": checkpoint.cursor.position}
        params: dict[str, Any] = {"TableName": self._table, "Item": item}
        if expected_revision is None:
            params["ConditionExpression"] = "attribute_not_exists(#pk)"
            params["ExpressionAttributeNames"] = {"#pk": KEY}
        else:
            params["ConditionExpression"] = "#revision = :revision"
            params["ExpressionAttributeNames"] = {"#revision": "revision"}
            params["ExpressionAttributeValues"] = {":revision": {"N": str(expected_revision)}}
        try:
            self._ddb.put_item(**params)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
