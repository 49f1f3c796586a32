"""``GET /objects``: parameters, the choice of index, and the page loop. Never a Scan.

Which index serves which listing (``catalog_index``): the ``type`` filter picks the partition scope
(whole bucket, content-type family for ``image/*``, exact type), ``order`` picks the sort (key or upload
time). A ``prefix`` is part of the key condition when listing by key; listing newest-first with a prefix
cannot be served by any index order, so it reads the time index with a ``begins_with`` filter and a
read budget of ``FILTER_BUDGET`` times the page: a request then costs O(limit) whatever the table holds,
and a page may be shorter than ``limit`` (even empty) while ``next_cursor`` says there is more, exactly
as DynamoDB's own filtered Query pages behave.

The loop asks for ``limit + 1`` items: when the extra one exists, the cursor is the position of the last
item returned, so the final page of a listing is never followed by an empty one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from upload_catalog.api_models import IndexQuery, ListedEntry
from upload_catalog.catalog_index import (
    LIVE_ALL,
    LIVE_FAMILY,
    LIVE_TYPE,
    MEDIA_RANGE,
    ORDER_KEY,
    ORDER_NEWEST,
    IndexSpec,
    family_scope,
    index_for,
    type_scope,
)
from upload_catalog.controllers.api_http import ApiError
from upload_catalog.controllers.api_ports import CatalogReader
from upload_catalog.controllers.cursor import decode_cursor, encode_cursor, fingerprint
from upload_catalog.models import MAX_KEY_BYTES, CatalogEntry

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
#: Items a filtered (prefix + newest) request may evaluate, per item of the page asked for.
FILTER_BUDGET = 4


@dataclass(frozen=True)
class ListParams:
    """The validated query parameters of ``GET /objects``."""

    prefix: str = ""
    limit: int = DEFAULT_LIMIT
    order: str = ORDER_KEY
    type_filter: str | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class ListPlan:
    """The index and conditions of one listing; the same for every page of it."""

    index: IndexSpec
    partition_value: str
    key_prefix: str
    filter_prefix: str
    forward: bool

    @property
    def fingerprint(self) -> str:
        return fingerprint(
            [self.index.name, self.partition_value, self.key_prefix, self.filter_prefix, str(self.forward)]
        )

    @property
    def position_attributes(self) -> frozenset[str]:
        """The attributes of a LastEvaluatedKey of this index: table keys plus index keys."""
        return frozenset({"bucket", "key", self.index.partition, self.index.sort})


@dataclass(frozen=True)
class ListResult:
    entries: list[CatalogEntry]
    next_cursor: str | None


def parse_list_params(query: Mapping[str, str]) -> ListParams:
    """Validate the query string; ApiError 400 names the parameter at fault."""
    prefix = query.get("prefix", "")
    try:
        encoded = prefix.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no S3 key can contain it, and boto3 could not send it
        raise ApiError(400, "query parameter prefix is not valid Unicode text") from None
    if len(encoded) > MAX_KEY_BYTES:
        raise ApiError(400, f"query parameter prefix is longer than {MAX_KEY_BYTES} bytes")
    raw_limit = query.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not re.fullmatch(r"[0-9]{1,4}", raw_limit.strip()):
            raise ApiError(
                400, f"query parameter limit must be an integer from 1 to {MAX_LIMIT}, got {raw_limit!r}"
            )
        limit = int(raw_limit)
        if not 1 <= limit <= MAX_LIMIT:
            raise ApiError(400, f"query parameter limit must be from 1 to {MAX_LIMIT}, got {limit}")
    order = query.get("order", ORDER_KEY)
    if order not in (ORDER_KEY, ORDER_NEWEST):
        raise ApiError(400, f"query parameter order must be 'key' or 'newest', got {order!r}")
    type_filter = query.get("type")
    if type_filter is not None:
        type_filter = type_filter.strip().lower()
        if not MEDIA_RANGE.match(type_filter):
            raise ApiError(
                400,
                f"query parameter type must be a media type like image/png or image/*, got {type_filter!r}",
            )
    cursor = query.get("cursor") or None
    return ListParams(prefix=prefix, limit=limit, order=order, type_filter=type_filter, cursor=cursor)


def plan_listing(bucket: str, params: ListParams) -> ListPlan:
    """Pick the index and conditions for ``params`` (see the module docstring)."""
    if params.type_filter is None:
        partition, value = LIVE_ALL, bucket
    else:
        match = MEDIA_RANGE.match(params.type_filter)
        assert match is not None  # parse_list_params validated it
        if match["subtype"] == "*":
            partition, value = LIVE_FAMILY, family_scope(bucket, match["family"])
        else:
            partition, value = LIVE_TYPE, type_scope(bucket, params.type_filter)
    index = index_for(partition, params.order)
    if params.order == ORDER_KEY:
        return ListPlan(index, value, key_prefix=params.prefix, filter_prefix="", forward=True)
    return ListPlan(index, value, key_prefix="", filter_prefix=params.prefix, forward=False)


def list_entries(reader: CatalogReader, bucket: str, params: ListParams) -> ListResult:
    """One page of the listing ``params`` describes, and the cursor of the next page (None at the end)."""
    plan = plan_listing(bucket, params)
    start = None
    if params.cursor:
        start = decode_cursor(params.cursor, plan.fingerprint, plan.position_attributes)
        _check_position(plan, start)
    wanted = params.limit + 1
    budget = wanted * FILTER_BUDGET if plan.filter_prefix else wanted
    collected: list[ListedEntry] = []
    evaluated = 0
    while len(collected) < wanted and evaluated < budget:
        ask = (budget - evaluated) if plan.filter_prefix else (wanted - len(collected))
        page = reader.query(
            IndexQuery(
                index=plan.index.name,
                partition_name=plan.index.partition,
                partition_value=plan.partition_value,
                sort_name=plan.index.sort,
                forward=plan.forward,
                limit=ask,
                key_prefix=plan.key_prefix,
                filter_prefix=plan.filter_prefix,
                start=start,
            )
        )
        evaluated += max(page.evaluated, 1)  # never loop forever on a page that claims to read nothing
        collected.extend(page.entries)
        start = page.last_evaluated
        if start is None:
            break
    if len(collected) > params.limit:
        collected = collected[: params.limit]
        start = collected[-1].position
    next_cursor = encode_cursor(plan.fingerprint, start) if start is not None else None
    return ListResult([listed.entry for listed in collected], next_cursor)


def _check_position(plan: ListPlan, position: dict[str, str]) -> None:
    """A cursor must point into this query's partition (and key range), or DynamoDB would reject it."""
    bucket = plan.partition_value.split("#", 1)[0]
    if (
        position[plan.index.partition] != plan.partition_value
        or position["bucket"] != bucket
        or not position["key"].startswith(plan.key_prefix)
    ):
        raise ApiError(
            400, "query parameter cursor belongs to another query: keep prefix, order and type unchanged"
        )
