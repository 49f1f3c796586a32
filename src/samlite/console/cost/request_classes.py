"""How AWS bills one request, by service: the request class (S3), request units (DynamoDB), chunks
(SQS, SNS). Pure functions of a request and its answer; `meter` applies them to what the endpoint served.

S3 (Amazon S3 pricing, "Requests & data retrievals"): PUT, COPY, POST and LIST requests are one
class, GET, SELECT and every other request another; DELETE and CANCEL requests are free.

DynamoDB (developer guide, "DynamoDB read and write request units" / "capacity unit consumption"):
- a write is one WRU per 1 KB of the item written, rounded up; transactional writes two; a write
  whose condition fails still consumes them;
- a read is one RRU per 4 KB read, rounded up, half that when eventually consistent (the default),
  two when transactional; GetItem and each item of BatchGetItem round per item, Query and Scan round
  the total of the page; every read consumes at least its minimum.
samlite sees requests and answers, not the stored items, so an UpdateItem or DeleteItem that does
not ask for the item back is sized by what it sends (its key and values): an estimate from below.

SQS and SNS (their pricing pages): every API action is a request, each 64 KB chunk of a payload one
more.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from samlite.console.cost.item_size import item_size
from samlite.wire.s3_request import address_of

TIER1 = "tier1"
TIER2 = "tier2"
FREE = "free"
CHUNK = 64 * 1024

_BUCKET_LISTS = frozenset({"list-type", "versions", "uploads"})
_BUCKET_SUBRESOURCES = frozenset(
    {
        "acl", "accelerate", "analytics", "cors", "encryption", "intelligent-tiering", "inventory",
        "lifecycle", "location", "logging", "metrics", "notification", "object-lock", "ownershipControls",
        "policy", "policyStatus", "publicAccessBlock", "replication", "requestPayment", "tagging",
        "versioning", "website",
    }
)  # fmt: skip


def s3_request(method: str, host: str, path: str, query: str) -> tuple[str, str]:
    """(bucket, class) of one S3 request."""
    method = method.upper()
    params = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
    address = address_of(host, path)
    bucket = address.bucket or ""
    if method == "DELETE" or (method == "POST" and "delete" in params):
        return bucket, FREE
    if method in ("PUT", "POST"):
        return bucket, TIER1
    if method == "GET":
        if not bucket:
            return bucket, TIER1  # ListBuckets
        if not address.key:
            listing = bool(params & _BUCKET_LISTS) or not (params & _BUCKET_SUBRESOURCES)
            return bucket, TIER1 if listing else TIER2
        return bucket, TIER1 if "uploadId" in params else TIER2  # ListParts is a LIST
    return bucket, TIER2  # HEAD, OPTIONS


@dataclass(frozen=True)
class Units:
    """Request units one DynamoDB request consumed on one table."""

    table: str
    kind: str  # "read" or "write"
    units: float


_READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def is_billed_dynamodb(operation: str) -> bool:
    return operation in _READS or operation in _WRITES


def _read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2.0


def _write_units(size: int) -> float:
    return float(max(1, math.ceil(size / 1024)))


def _sent_size(request: Mapping[str, Any]) -> int:
    """What an UpdateItem or DeleteItem sends of the item: its key and values."""
    values = request.get("ExpressionAttributeValues") or {}
    updates = request.get("AttributeUpdates") or {}
    size = item_size(request.get("Key"))
    size += sum(item_size({"": value}) for value in values.values())
    size += sum(
        item_size({name: update.get("Value")}) for name, update in updates.items() if update.get("Value")
    )
    return size


def _write_size(operation: str, request: Mapping[str, Any], response: Mapping[str, Any]) -> int:
    returned = item_size(response.get("Attributes"))
    if operation == "PutItem":
        return max(item_size(request.get("Item")), returned)
    if operation == "UpdateItem":
        return max(_sent_size(request), returned)
    return returned  # DeleteItem: known only when asked for (ReturnValues ALL_OLD)


def _get_item(request: Mapping[str, Any], response: Mapping[str, Any]) -> list[Units]:
    size = item_size(response.get("Item"))
    return [
        Units(
            str(request.get("TableName", "")), "read", _read_units(size, bool(request.get("ConsistentRead")))
        )
    ]


def _page_read(request: Mapping[str, Any], response: Mapping[str, Any]) -> list[Units]:
    size = sum(item_size(item) for item in response.get("Items") or ())
    return [
        Units(
            str(request.get("TableName", "")), "read", _read_units(size, bool(request.get("ConsistentRead")))
        )
    ]


def dynamodb_units(
    operation: str, request: Mapping[str, Any], response: Mapping[str, Any], *, failed_condition: bool = False
) -> list[Units]:
    """The request units of one served DynamoDB call (none for control-plane calls)."""
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        size = _write_size(operation, request, {} if failed_condition else response)
        return [Units(str(request.get("TableName", "")), "write", _write_units(size))]
    count = _UNITS.get(operation)
    return count(request, response) if count is not None else []


def _batch_get(request: Mapping[str, Any], response: Mapping[str, Any]) -> list[Units]:
    units = []
    asked = request.get("RequestItems") or {}
    for table, items in (response.get("Responses") or {}).items():
        consistent = bool((asked.get(table) or {}).get("ConsistentRead"))
        total = sum(_read_units(item_size(item), consistent) for item in items)
        units.append(Units(table, "read", total))
    return units


def _batch_write(request: Mapping[str, Any], response: Mapping[str, Any]) -> list[Units]:
    unprocessed = response.get("UnprocessedItems") or {}
    units = []
    for table, writes in (request.get("RequestItems") or {}).items():
        done = len(writes) - len(unprocessed.get(table) or ())
        total = 0.0
        for write in writes[: max(0, done)]:
            put = write.get("PutRequest")
            total += _write_units(item_size(put.get("Item")) if put else 0)
        units.append(Units(table, "write", total))
    return units


def _transact_get(request: Mapping[str, Any], response: Mapping[str, Any]) -> list[Units]:
    answers = response.get("Responses") or []
    units = []
    for index, entry in enumerate(request.get("TransactItems") or ()):
        table = str((entry.get("Get") or {}).get("TableName", ""))
        item = answers[index].get("Item") if index < len(answers) else None
        units.append(Units(table, "read", 2 * _read_units(item_size(item), True)))
    return units


def _transact_write(request: Mapping[str, Any]) -> list[Units]:
    units = []
    for entry in request.get("TransactItems") or ():
        for kind, action in entry.items():
            table = str(action.get("TableName", ""))
            size = item_size(action.get("Item")) if kind == "Put" else _sent_size(action)
            units.append(Units(table, "write", 2 * _write_units(size)))
    return units


def chunks(size: int) -> int:
    """SQS and SNS bill each 64 KB of a payload as one request."""
    return max(1, math.ceil(size / CHUNK))


def json_or_empty(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


_UNITS = {
    "GetItem": _get_item,
    "Query": _page_read,
    "Scan": _page_read,
    "BatchGetItem": _batch_get,
    "BatchWriteItem": _batch_write,
    "TransactGetItems": _transact_get,
    "TransactWriteItems": lambda request, _response: _transact_write(request),
}
