"""Keys of the statistics table (``CatalogStatsTable``): totals per scope, and a marker per catalog key.

Generic keys ``pk`` / ``sk``; the first word of ``pk`` tells the two kinds of item apart (bucket names
never contain ``#``, so they cannot collide):

- ``stats#<bucket>#<prefix scope>`` / ``<family scope>``: live objects and their bytes in one scope
  (``controllers.stats_rules``): the whole bucket is prefix scope ``*``, a top-level prefix is itself
  (``photos/``, or the empty string for keys without a ``/``); all types is family scope ``*``, a family
  is its name (``image``). ``GET /stats`` reads one item, or the partition of one prefix scope.
- ``marker#<bucket>#<key>`` / ``marker``: what the totals count for one catalog key, and the stream
  sequence number it was counted at (``services.stats_table``).

Shared by the stream function that writes the table and the API that reads it.
"""

from __future__ import annotations

PK = "pk"
SK = "sk"
#: The scope value meaning "all" (all prefixes, or all type families).
ALL = "*"
MARKER_SK = "marker"


def totals_partition(bucket: str, prefix_scope: str) -> str:
    return f"stats#{bucket}#{prefix_scope}"


def totals_key(bucket: str, prefix_scope: str, family_scope: str) -> dict[str, dict[str, str]]:
    return {PK: {"S": totals_partition(bucket, prefix_scope)}, SK: {"S": family_scope}}


def marker_key(bucket: str, key: str) -> dict[str, dict[str, str]]:
    return {PK: {"S": f"marker#{bucket}#{key}"}, SK: {"S": MARKER_SK}}
