"""The catalog table's listing indexes: which attributes a live entry carries, and which index serves
which listing. Shared by the writer (``services.catalog_table``) and the query planner
(``controllers.listing``), so both derive the index attributes from one definition.

Every listing is a DynamoDB Query on a *sparse* global secondary index: only live entries carry the
``live_*`` partition attributes, and a tombstone (written with PutItem, which replaces the whole item)
carries none, so a delete removes the key from every index. Three partition scopes (the whole bucket,
a content-type family such as ``image``, an exact content type) times two sort orders (by key, by
upload time) make six indexes; a page of any listing is then one Query whose cost grows with the page.
The scopes come from media types, so the one definition of a valid media type (``MEDIA_RANGE``) lives
here too, for the upload rules, the API configuration and the listing filter alike.
The one combination no index can order is a key prefix with newest-first order: that Query runs on
the time index with a ``begins_with`` filter and a bounded read budget (see ``controllers.listing``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

#: Partition attributes (present on live entries only).
LIVE_ALL = "live_all"
LIVE_FAMILY = "live_family"
LIVE_TYPE = "live_type"
#: Sort attribute of the time-ordered indexes: the upload time, normalised so that strings sort as times.
LISTED_AT = "listed_at"
#: Sort attribute of the key-ordered indexes: the table's own sort key.
KEY = "key"

ORDER_KEY = "key"
ORDER_NEWEST = "newest"


@dataclass(frozen=True)
class IndexSpec:
    """One global secondary index of the catalog table."""

    name: str
    partition: str
    sort: str


INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("live-by-key", LIVE_ALL, KEY),
    IndexSpec("live-by-time", LIVE_ALL, LISTED_AT),
    IndexSpec("family-by-key", LIVE_FAMILY, KEY),
    IndexSpec("family-by-time", LIVE_FAMILY, LISTED_AT),
    IndexSpec("type-by-key", LIVE_TYPE, KEY),
    IndexSpec("type-by-time", LIVE_TYPE, LISTED_AT),
)


def index_for(partition: str, order: str) -> IndexSpec:
    """The index with that partition attribute and order (``ORDER_KEY`` or ``ORDER_NEWEST``)."""
    sort = KEY if order == ORDER_KEY else LISTED_AT
    for spec in INDEXES:
        if spec.partition == partition and spec.sort == sort:
            return spec
    raise ValueError(f"no catalog index has partition {partition!r} and order {order!r}")


#: A media type token (RFC 9110, 5.6.2), lower case (matching is case-insensitive and types are stored lower
#: case), at most 127 characters (RFC 6838, 4.2).
_TOKEN = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
#: ``type/subtype`` or a whole family, ``type/*``: an allowed upload type, a listing's ``type`` filter,
#: and (with a concrete subtype) an upload's declared type. Groups ``family`` and ``subtype``.
MEDIA_RANGE = re.compile(rf"^(?P<family>{_TOKEN})/(?P<subtype>\*|{_TOKEN})$")


def media_type(content_type: str) -> str:
    """``type/subtype`` of a Content-Type value, lower case, without parameters (RFC 9110, 8.3.1)."""
    return content_type.split(";", 1)[0].strip().lower()


def family_scope(bucket: str, family: str) -> str:
    """Partition value of a content-type family within a bucket (``#`` never occurs in bucket names)."""
    return f"{bucket}#{family}"


def type_scope(bucket: str, exact_type: str) -> str:
    """Partition value of an exact content type within a bucket."""
    return f"{bucket}#{exact_type}"


def listed_at(event_time: str) -> str:
    """The event time as a fixed-width UTC string (microseconds), so string order is time order.

    S3 writes ``2026-11-25T10:00:00.123Z``; other producers may omit the fraction or use an offset.
    A value that does not parse (the event parser rejects those) is kept as given.
    """
    try:
        moment = datetime.fromisoformat(event_time)
    except ValueError:
        return event_time
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def live_attributes(bucket: str, content_type: str, event_time: str) -> dict[str, str]:
    """The index attributes of a live entry, as plain strings."""
    exact = media_type(content_type)
    family = exact.split("/", 1)[0]
    return {
        LIVE_ALL: bucket,
        LIVE_FAMILY: family_scope(bucket, family),
        LIVE_TYPE: type_scope(bucket, exact),
        LISTED_AT: listed_at(event_time),
    }
