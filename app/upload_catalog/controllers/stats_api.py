"""``GET /stats?prefix=&type=``: the catalog's totals, answered from the statistics items.

One GetItem when ``type`` names a family, else one Query on the prefix scope's partition, which also
gives the breakdown by type family (``stats_keys``): never a Scan, and the cost of a request does not
grow with the catalog. Statistics are kept per bucket, per top-level prefix and per type family, so
``prefix`` must be empty (the whole bucket) or one top-level prefix (``photos/``), and ``type`` a
family (``image/*``); anything finer is a 400 that says what is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from upload_catalog.catalog_index import MEDIA_RANGE
from upload_catalog.controllers.api_http import ApiError, Request, Response, json_response
from upload_catalog.controllers.stats_ports import StatsReader
from upload_catalog.models import MAX_KEY_BYTES
from upload_catalog.stats_keys import ALL
from upload_catalog.stats_models import Totals

#: Families listed in one answer (a catalog has a handful: image, text, application, video...).
MAX_FAMILIES = 100
_TOP_LEVEL_PREFIX = re.compile(r"[^/]*/")


@dataclass(frozen=True)
class StatsParams:
    prefix: str = ""  # "" means the whole bucket
    family: str | None = None  # None means all types


def parse_stats_params(query: Mapping[str, str]) -> StatsParams:
    """Validate the query string; ApiError 400 names the parameter at fault."""
    prefix = query.get("prefix", "")
    try:
        encoded = prefix.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "query parameter prefix is not valid Unicode text") from None
    if len(encoded) > MAX_KEY_BYTES:
        raise ApiError(400, f"query parameter prefix is longer than {MAX_KEY_BYTES} bytes")
    if prefix and not _TOP_LEVEL_PREFIX.fullmatch(prefix):
        raise ApiError(
            400,
            "query parameter prefix must be empty or one top-level prefix ending in '/' (like 'photos/'): "
            f"statistics are kept per top-level prefix, got {prefix!r}",
        )
    family = None
    raw_type = query.get("type")
    if raw_type is not None:
        match = MEDIA_RANGE.match(raw_type.strip().lower())
        if match is None:
            raise ApiError(400, f"query parameter type must be a type family like image/*, got {raw_type!r}")
        if match["subtype"] != "*":
            raise ApiError(
                400,
                f"query parameter type must be a type family like {match['family']}/*: statistics are kept "
                f"per family, got {raw_type!r}",
            )
        family = match["family"]
    return StatsParams(prefix, family)


class StatsController:
    """Serves the statistics of one bucket through its reader."""

    def __init__(self, reader: StatsReader, bucket: str) -> None:
        self._reader = reader
        self._bucket = bucket

    def get(self, request: Request) -> Response:
        params = parse_stats_params(request.query)
        prefix_scope = params.prefix or ALL
        if params.family is not None:
            totals = self._reader.totals((self._bucket, prefix_scope, params.family)) or Totals()
            return json_response(200, _view(params, totals))
        found = self._reader.prefix(self._bucket, prefix_scope, MAX_FAMILIES)
        body = _view(params, found.total or Totals())
        body["types"] = [
            {"type": f"{family}/*", "objects": totals.objects, "bytes": totals.bytes}
            for family, totals in sorted(found.families.items())
            if totals.objects > 0
        ]
        body["types_truncated"] = found.truncated
        return json_response(200, body)


def _view(params: StatsParams, totals: Totals) -> dict[str, Any]:
    view: dict[str, Any] = {
        "prefix": params.prefix,
        "type": f"{params.family}/*" if params.family is not None else None,
        "objects": totals.objects,
        "bytes": totals.bytes,
    }
    if totals.updated_at:
        view["updated_at"] = totals.updated_at
    return view
