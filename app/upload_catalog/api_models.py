"""Value objects of the REST API only: listing queries and pages, upload forms.

Kept apart from ``models`` so the S3-event function does not define them at import (its cold start).
"""

from __future__ import annotations

from dataclasses import dataclass

from upload_catalog.models import CatalogEntry


@dataclass(frozen=True)
class IndexQuery:
    """One DynamoDB Query on a listing index, as planned by ``controllers.listing``.

    ``key_prefix`` narrows the key condition (key-ordered indexes, where ``key`` is the sort key);
    ``filter_prefix`` is a ``begins_with`` filter applied after the read (time-ordered indexes).
    ``limit`` is DynamoDB's: the number of items *evaluated*, before any filter.
    """

    index: str
    partition_name: str
    partition_value: str
    sort_name: str
    forward: bool
    limit: int
    key_prefix: str = ""
    filter_prefix: str = ""
    start: dict[str, str] | None = None


@dataclass(frozen=True)
class ListedEntry:
    """An entry read from an index, with its position there (the index and table keys, as strings)."""

    entry: CatalogEntry
    position: dict[str, str]


@dataclass(frozen=True)
class IndexPage:
    """What one Query returned: matching entries, where to continue (None at the end), items evaluated."""

    entries: list[ListedEntry]
    last_evaluated: dict[str, str] | None
    evaluated: int


@dataclass(frozen=True)
class PresignedPost:
    """A browser-style POST upload: the form's action URL and the fields to send before the file."""

    url: str
    fields: dict[str, str]
