"""The statistics table (``CatalogStatsTable``, keys in ``stats_keys``) over boto3.

The stream function reads markers with BatchGetItem (strongly consistent) and commits each run with
TransactWriteItems: a Put per marker, conditional on the marker read (``attribute_not_exists`` or the
same sequence), and an Update per scope adding the deltas (``ADD`` creates a missing item at zero). A
failed condition cancels the whole transaction (``TransactionCanceledException`` with a
``ConditionalCheckFailed`` reason): nothing is half-applied. Permissions are those of the item actions a
transaction holds (``dynamodb:PutItem``, ``dynamodb:UpdateItem``: Amazon DynamoDB Developer Guide,
"Using IAM with DynamoDB transactions"), plus ``dynamodb:BatchGetItem``.

Sequence numbers are up to 40 digits, beyond a DynamoDB number's 38 digits of precision, so markers
keep them as zero-padded strings, whose order is the numbers' order. A marker that counts nothing (its
key's last image was a tombstone, or the item was deleted) expires after two days: the stream keeps
records 24 hours, so no record older than the marker can still arrive.

The API reads totals with one GetItem or one Query (``dynamodb:GetItem``, ``dynamodb:Query``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from upload_catalog.stats_keys import ALL, PK, SK, marker_key, totals_key, totals_partition
from upload_catalog.stats_models import Contribution, Deltas, Marker, MarkerWrite, PrefixStats, Scope, Totals

SEQUENCE_WIDTH = 40
MARKER_TTL_SECONDS = 2 * 24 * 3600
#: BatchGetItem takes at most 100 keys; unprocessed ones (throttling) are asked for again.
BATCH_GET_KEYS = 100
BATCH_GET_ROUNDS = 8


class DynamoStatsStore:
    """Implements ``controllers.stats_ports.StatsStore`` over a boto3 DynamoDB client."""

    def __init__(
        self,
        dynamodb_client: Any,
        table_name: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._ddb = dynamodb_client
        self._table = table_name
        self._clock = clock
        self._sleep = sleep

    def markers(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Marker]:
        pending = [marker_key(bucket, key) for bucket, key in dict.fromkeys(keys)]
        found: dict[tuple[str, str], Marker] = {}
        rounds = 0
        while pending:
            ask, rest = pending[:BATCH_GET_KEYS], pending[BATCH_GET_KEYS:]
            response = self._ddb.batch_get_item(
                RequestItems={self._table: {"Keys": ask, "ConsistentRead": True}}
            )
            for item in response.get("Responses", {}).get(self._table, []):
                found[(item["bucket"]["S"], item["key"]["S"])] = _marker(item)
            unprocessed = response.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
            if unprocessed:
                rounds += 1
                if rounds > BATCH_GET_ROUNDS:
                    raise RuntimeError(f"BatchGetItem on {self._table} left keys unprocessed {rounds} times")
                self._sleep(min(0.05 * 2**rounds, 1.0))
            pending = unprocessed + rest
        return found

    def commit(self, markers: list[MarkerWrite], deltas: Deltas) -> bool:
        now = self._clock()
        actions = [self._marker_put(write, now) for write in markers]
        actions += [self._totals_update(scope, moved, now) for scope, moved in deltas.items()]
        try:
            self._ddb.transact_write_items(TransactItems=actions)
        except ClientError as err:
            error = err.response.get("Error", {})
            reasons = err.response.get("CancellationReasons") or []
            if error.get("Code") == "TransactionCanceledException" and any(
                reason.get("Code") == "ConditionalCheckFailed" for reason in reasons
            ):
                return False
            raise
        return True

    def _marker_put(self, write: MarkerWrite, now: float) -> dict[str, Any]:
        change = write.change
        item: dict[str, dict[str, Any]] = {
            **marker_key(change.bucket, change.key),
            "bucket": {"S": change.bucket},
            "key": {"S": change.key},
            "sequence": {"S": str(change.sequence).zfill(SEQUENCE_WIDTH)},
            "counted": {"BOOL": change.contribution is not None},
        }
        if change.contribution is not None:
            item["prefix"] = {"S": change.contribution.prefix}
            item["family"] = {"S": change.contribution.family}
            item["size"] = {"N": str(change.contribution.size)}
        else:
            item["expires_at"] = {"N": str(int(now) + MARKER_TTL_SECONDS)}
        put: dict[str, Any] = {"TableName": self._table, "Item": item}
        if write.expected is None:
            put["ConditionExpression"] = "attribute_not_exists(#pk)"
            put["ExpressionAttributeNames"] = {"#pk": PK}
        else:
            put["ConditionExpression"] = "#sequence = :sequence"
            put["ExpressionAttributeNames"] = {"#sequence": "sequence"}
            put["ExpressionAttributeValues"] = {
                ":sequence": {"S": str(write.expected.sequence).zfill(SEQUENCE_WIDTH)}
            }
        return {"Put": put}

    def _totals_update(self, scope: Scope, moved: tuple[int, int], now: float) -> dict[str, Any]:
        bucket, prefix, family = scope
        return {
            "Update": {
                "TableName": self._table,
                "Key": totals_key(bucket, prefix, family),
                "UpdateExpression": "ADD #o :o, #b :b SET #u = :u, #k = :k, #p = :p, #f = :f",
                "ExpressionAttributeNames": {
                    "#o": "objects",
                    "#b": "bytes",
                    "#u": "updated_at",
                    "#k": "bucket",
                    "#p": "prefix",
                    "#f": "family",
                },
                "ExpressionAttributeValues": {
                    ":o": {"N": str(moved[0])},
                    ":b": {"N": str(moved[1])},
                    ":u": {"S": _iso(now)},
                    ":k": {"S": bucket},
                    ":p": {"S": prefix},
                    ":f": {"S": family},
                },
            }
        }


class DynamoStatsReader:
    """Implements ``controllers.stats_ports.StatsReader`` over a boto3 DynamoDB client."""

    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._ddb = dynamodb_client
        self._table = table_name

    def totals(self, scope: Scope) -> Totals | None:
        response = self._ddb.get_item(TableName=self._table, Key=totals_key(*scope), ConsistentRead=True)
        item = response.get("Item")
        return _totals(item) if item else None

    def prefix(self, bucket: str, prefix_scope: str, limit: int) -> PrefixStats:
        response = self._ddb.query(
            TableName=self._table,
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": PK},
            ExpressionAttributeValues={":pk": {"S": totals_partition(bucket, prefix_scope)}},
            ConsistentRead=True,
            Limit=limit + 1,  # the all-types item and up to `limit` families
        )
        total, families = None, {}
        for item in response.get("Items", []):
            if item[SK]["S"] == ALL:
                total = _totals(item)
            else:
                families[item[SK]["S"]] = _totals(item)
        truncated = "LastEvaluatedKey" in response or len(families) > limit
        if len(families) > limit:
            families = dict(sorted(families.items())[:limit])
        return PrefixStats(total, families, truncated)


def _marker(item: dict[str, dict[str, Any]]) -> Marker:
    counted = None
    if item.get("counted", {}).get("BOOL"):
        counted = Contribution(
            item["bucket"]["S"], item["prefix"]["S"], item["family"]["S"], int(item["size"]["N"])
        )
    return Marker(int(item["sequence"]["S"]), counted)


def _totals(item: dict[str, dict[str, Any]]) -> Totals:
    return Totals(
        objects=int(item.get("objects", {}).get("N", "0")),
        bytes=int(item.get("bytes", {}).get("N", "0")),
        updated_at=item.get("updated_at", {}).get("S"),
    )


def _iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
