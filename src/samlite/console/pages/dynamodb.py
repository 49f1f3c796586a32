"""DynamoDB page: tables and their indexes, items by key query or a paged scan, an item's JSON,
edit and delete.

Query, GetItem, PutItem and DeleteItem go through the endpoint's DynamoDB API as the administrator
(a stream sees an edit as it sees any write). Browsing a whole table page by page reads moto's
stored items instead, in storage order: moto's Scan sorts the whole table on every page (about
0.2 s at 10,000 items), a browse need not, and a read changes nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from samlite.console.context import ConsoleContext
from samlite.console.dynamodb_json import from_wire, to_wire
from samlite.console.http import ConsoleError, ConsoleRequest, bad_request, json_response, not_found
from samlite.console.router import Router
from samlite.endpoint.local_apis import ApiResponse

PAGE_SIZE = 50
SORT_OPERATORS = {"=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "begins_with": None, "between": None}


def _describe(context: ConsoleContext, table: str) -> dict[str, Any]:
    answer = context.clients.call("dynamodb", "describe_table", TableName=table)["Table"]
    types = {d["AttributeName"]: d["AttributeType"] for d in answer.get("AttributeDefinitions", [])}

    def keys(schema: list[dict[str, str]]) -> dict[str, Any]:
        found: dict[str, Any] = {"partition": None, "sort": None}
        for element in schema:
            role = "partition" if element["KeyType"] == "HASH" else "sort"
            name = element["AttributeName"]
            found[role] = {"name": name, "type": types.get(name, "S")}
        return found

    indexes = [
        {"name": index["IndexName"], "kind": kind, **keys(index["KeySchema"]),
         "projection": index.get("Projection", {}).get("ProjectionType")}
        for kind, field in (("global", "GlobalSecondaryIndexes"), ("local", "LocalSecondaryIndexes"))
        for index in answer.get(field, [])
    ]  # fmt: skip
    return {
        "name": answer["TableName"],
        "arn": answer.get("TableArn"),
        "status": answer.get("TableStatus"),
        "itemCount": answer.get("ItemCount"),
        "billingMode": (answer.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
        "stream": answer.get("StreamSpecification"),
        **keys(answer["KeySchema"]),
        "indexes": indexes,
    }


def _typed(value: str, kind: str, what: str) -> dict[str, Any]:
    if kind == "N":
        try:
            Decimal(value)
        except InvalidOperation:
            raise bad_request(f"{what} must be a number, not {value!r}") from None
    if kind == "B":
        return to_wire({"v": {"B": value}}, what)["v"]
    return {kind: value}


def _cursor(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise bad_request("the cursor is not one this page handed out") from None


def _browse(context: ConsoleContext, table: str, cursor: Any, limit: int) -> dict[str, Any]:
    """A page of the table's items as moto stores them, after the item whose key is `cursor`."""
    try:
        stored = context.sources.aws.backend("dynamodb").get_table(table)
    except Exception as error:
        raise not_found(f"no table {table!r}: {getattr(error, 'message', error)}") from None
    hash_name, range_name = stored.hash_key_attr, stored.range_key_attr
    partitions = list(stored.items.items())  # one C-level copy: safe against concurrent writes
    total = sum(len(value) for _, value in partitions) if range_name else len(partitions)
    first, skip = 0, None
    if cursor is not None:
        wanted = cursor.get(hash_name)
        first = next((i for i, (key, _) in enumerate(partitions) if _plain(key) == wanted), -1)
        if first < 0 or (range_name and range_name not in cursor):
            raise bad_request("the item the cursor points at is gone: start again from the first page")
        skip = cursor.get(range_name) if range_name else None
        if not range_name:
            first += 1
    page: list[Any] = []
    for index in range(first, len(partitions)):
        value = partitions[index][1]
        members = list(value.items()) if range_name else [(None, value)]
        if skip is not None and index == first:
            position = next((i for i, (key, _) in enumerate(members) if _plain(key) == skip), None)
            if position is None:
                raise bad_request("the item the cursor points at is gone: start again from the first page")
            members = members[position + 1 :]
        for _, item in members:
            if len(page) == limit:
                return _page(page, hash_name, range_name, total, more=True)
            page.append(item)
    return _page(page, hash_name, range_name, total, more=False)


def _plain(key: Any) -> dict[str, Any]:
    """A moto key value (DynamoType) in DynamoDB JSON, as the page sends it back."""
    return from_wire({"v": {key.type: key.value}})["v"]  # type: ignore[index]


def _page(
    page: list[Any], hash_name: str, range_name: str | None, total: int, *, more: bool
) -> dict[str, Any]:
    items = [from_wire(item.to_json()["Attributes"]) for item in page]
    cursor = None
    if more and page:
        last = items[-1] or {}
        cursor = json.dumps({name: last[name] for name in (hash_name, range_name) if name and name in last})
    return {"items": items, "next": cursor, "total": total}


def _key_condition(request: ConsoleRequest, keys: dict[str, Any], where: str) -> dict[str, Any]:
    """The Query parameters of a key query: `pk`, and optionally `skOp` with `sk` (and `sk2`)."""
    partition, sort = keys["partition"], keys["sort"]
    values: dict[str, Any] = {":pk": _typed(request.required_arg("pk"), partition["type"], "pk")}
    condition = "#pk = :pk"
    names = {"#pk": partition["name"]}
    operator = request.arg("skOp") or ""
    if operator:
        if sort is None:
            raise bad_request(f"{where} has no sort key to compare")
        if operator not in SORT_OPERATORS:
            raise bad_request(f"skOp must be one of {', '.join(SORT_OPERATORS)}, not {operator!r}")
        names["#sk"] = sort["name"]
        values[":sk"] = _typed(request.required_arg("sk"), sort["type"], "sk")
        if operator == "begins_with":
            condition += " AND begins_with(#sk, :sk)"
        elif operator == "between":
            values[":sk2"] = _typed(request.required_arg("sk2"), sort["type"], "sk2")
            condition += " AND #sk BETWEEN :sk AND :sk2"
        else:
            condition += f" AND #sk {SORT_OPERATORS[operator]} :sk"
    return {
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


class _Handlers:
    def __init__(self, context: ConsoleContext) -> None:
        self.context = context
        self.clients = context.clients
        self.table_ids = {
            resource.ref: resource.logical_id
            for resource in context.sources.stack.resources.values()
            if resource.type == "AWS::DynamoDB::Table"
        }

    def tables(self, _request: ConsoleRequest) -> ApiResponse:
        names: list[str] = []
        params: dict[str, Any] = {}
        while True:
            answer = self.clients.call("dynamodb", "list_tables", **params)
            names += answer.get("TableNames", [])
            if not answer.get("LastEvaluatedTableName"):
                break
            params["ExclusiveStartTableName"] = answer["LastEvaluatedTableName"]
        rows = [{**_describe(self.context, name), "logicalId": self.table_ids.get(name)} for name in names]
        return json_response({"tables": rows})

    def table(self, request: ConsoleRequest) -> ApiResponse:
        name = request.params["table"]
        return json_response({**_describe(self.context, name), "logicalId": self.table_ids.get(name)})

    def items(self, request: ConsoleRequest) -> ApiResponse:
        limit = request.int_arg("limit", PAGE_SIZE, low=1, high=500)
        cursor = _cursor(request.arg("cursor"))
        return json_response(_browse(self.context, request.params["table"], cursor, limit))

    def query(self, request: ConsoleRequest) -> ApiResponse:
        name = request.params["table"]
        described = _describe(self.context, name)
        index_name = request.arg("index") or None
        keys: dict[str, Any] | None = described
        if index_name:
            keys = next((i for i in described["indexes"] if i["name"] == index_name), None)
            if keys is None:
                raise not_found(f"the table {name!r} has no index {index_name!r}")
        params: dict[str, Any] = {
            "TableName": name,
            **_key_condition(request, keys, index_name or name),
            "Limit": request.int_arg("limit", PAGE_SIZE, low=1, high=500),
            "ScanIndexForward": request.arg("forward", "1") != "0",
        }
        if index_name:
            params["IndexName"] = index_name
        start = _cursor(request.arg("cursor"))
        if start:
            params["ExclusiveStartKey"] = to_wire(start, "cursor")
        answer = self.clients.call("dynamodb", "query", **params)
        last = answer.get("LastEvaluatedKey")
        return json_response(
            {
                "items": [from_wire(item) for item in answer.get("Items", [])],
                "next": json.dumps(from_wire(last)) if last else None,
                "count": answer.get("Count"),
            }
        )

    def get_item(self, request: ConsoleRequest) -> ApiResponse:
        name = request.params["table"]
        key = to_wire(_cursor(request.required_arg("key")), "key")
        answer = self.clients.call("dynamodb", "get_item", TableName=name, Key=key, ConsistentRead=True)
        if "Item" not in answer:
            raise not_found(f"the table {name!r} has no item with that key")
        return json_response({"item": from_wire(answer["Item"])})

    def put_item(self, request: ConsoleRequest) -> ApiResponse:
        name = request.params["table"]
        body = request.json()
        item = to_wire(body.get("item"), "item")
        described = _describe(self.context, name)
        key_names = [k["name"] for k in (described["partition"], described["sort"]) if k]
        missing = [key for key in key_names if key not in item]
        if missing:
            raise bad_request(f"the item lacks its key attribute {', '.join(repr(k) for k in missing)}")
        self.clients.call("dynamodb", "put_item", TableName=name, Item=item)
        original = body.get("originalKey")
        moved = False
        if original:
            old_key = to_wire(original, "originalKey")
            if any(old_key.get(k) != item.get(k) for k in key_names):
                self.clients.call("dynamodb", "delete_item", TableName=name, Key=old_key)
                moved = True
        return json_response({"saved": True, "keyChanged": moved})

    def delete_item(self, request: ConsoleRequest) -> ApiResponse:
        name = request.params["table"]
        key = to_wire(request.json().get("key"), "key")
        answer = self.clients.call("dynamodb", "delete_item", TableName=name, Key=key, ReturnValues="ALL_OLD")
        if "Attributes" not in answer:
            raise ConsoleError(404, "NotFound", f"the table {name!r} had no item with that key")
        return json_response({"deleted": from_wire(answer["Attributes"])})


def register(router: Router, context: ConsoleContext) -> None:
    handlers = _Handlers(context)
    router.add("GET", "/api/dynamodb/tables", handlers.tables)
    router.add("GET", "/api/dynamodb/tables/{table}", handlers.table)
    router.add("GET", "/api/dynamodb/tables/{table}/items", handlers.items)
    router.add("GET", "/api/dynamodb/tables/{table}/query", handlers.query)
    router.add("GET", "/api/dynamodb/tables/{table}/item", handlers.get_item)
    router.add("PUT", "/api/dynamodb/tables/{table}/item", handlers.put_item)
    router.add("DELETE", "/api/dynamodb/tables/{table}/item", handlers.delete_item)
