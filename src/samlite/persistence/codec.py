"""How values that JSON lacks are written in the snapshot: times, bytes."""

from __future__ import annotations

import base64
import datetime
from typing import Any


def time_text(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 with microseconds and offset; a naive time (moto's utcnow) is taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.isoformat()


def time_of(text: str | None, *, naive: bool = False) -> datetime.datetime | None:
    """The time `time_text` wrote; `naive=True` gives it without tzinfo, in UTC, as moto keeps some."""
    if text is None:
        return None
    moment = datetime.datetime.fromisoformat(text)
    if naive:
        return moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment


def bytes_text(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def bytes_of(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def plain(value: Any) -> Any:
    """`value` with tuples as lists and sets as sorted lists, so that it round-trips through JSON."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(item) for item in value)
    if isinstance(value, bytes):
        return bytes_text(value)
    if isinstance(value, datetime.datetime):
        return time_text(value)
    return value
