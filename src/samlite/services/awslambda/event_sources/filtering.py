"""FilterCriteria: which records of a queue or stream a mapping sends to its function.

AWS Lambda Developer Guide, "Lambda event filtering" (and its SQS, DynamoDB and Kinesis pages): a
mapping has up to five filters (ten with a quota increase); a record goes to the function when it
matches any of them, with EventBridge's event-pattern grammar (`samlite.events.patterns`). Patterns
name the record's metadata fields and its data field: SQS `body`, Kinesis `data`, DynamoDB `dynamodb`.
- SQS: a JSON body is matched as JSON, a plain one as a string; a filter whose `body` pattern expects
  the other format drops the message. A message that matches no filter is deleted from the queue.
- Kinesis: `data` is decoded from base64 and matched as JSON; a record whose data is not JSON matches
  no filter that names `data`. The metadata fields are the `kinesis` fields (partitionKey,
  sequenceNumber, ...) and the record's own (eventName, awsRegion, ...).
- DynamoDB: the record as delivered; `dynamodb` holds the keys and images.
- For streams, a filter's data pattern must be a JSON object, or the mapping is refused.
A record that matches no filter is skipped; the poller says so in the function's log.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from samlite.errors import ProvisionError
from samlite.events.patterns import CompiledPattern, PatternError, compile_pattern

DEFAULT_QUOTA = 5  # filters per event source; "you can request a quota increase for up to 10"
MAX_FILTERS = 10
DATA_KEYS = {"sqs": "body", "kinesis": "data", "dynamodb": "dynamodb"}


@dataclass(frozen=True)
class _Filter:
    compiled: CompiledPattern
    data_pattern: Any  # the pattern of the data key; None when the filter does not name it


class Filters:
    """The compiled filters of one mapping; `keeps(record)` answers for one record as delivered."""

    def __init__(self, kind: str, patterns: Sequence[Mapping[str, Any]]) -> None:
        self.kind = kind
        self.data_key = DATA_KEYS[kind]
        self._filters = tuple(_Filter(compile_pattern(p), p.get(self.data_key)) for p in patterns)

    def __bool__(self) -> bool:
        return bool(self._filters)

    def __len__(self) -> int:
        return len(self._filters)

    def keeps(self, record: Mapping[str, Any]) -> bool:
        """Whether `record` (as the function would get it) matches any filter; True without filters."""
        if not self._filters:
            return True
        data, is_json = self._data(record)
        view = self._view(record, data)
        for item in self._filters:
            if item.data_pattern is not None and isinstance(item.data_pattern, Mapping) != is_json:
                continue  # the data is not in the format the filter expects: it cannot match
            if item.compiled.matches(view):
                return True
        return False

    def _data(self, record: Mapping[str, Any]) -> tuple[Any, bool]:
        """The record's data field, parsed when it is JSON (an object or an array)."""
        if self.kind == "dynamodb":
            return record.get("dynamodb"), True
        if self.kind == "kinesis":
            raw = (record.get("kinesis") or {}).get("data", "")
            try:
                text = base64.b64decode(str(raw), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return raw, False
        else:
            text = str(record.get("body", ""))
        try:
            parsed = json.loads(text)
        except ValueError:
            return text, False
        return (parsed, True) if isinstance(parsed, dict | list) else (text, False)

    def _view(self, record: Mapping[str, Any], data: Any) -> dict[str, Any]:
        """What the patterns are matched against: the record, its data field decoded."""
        view = dict(record)
        if self.kind == "kinesis":
            view.pop("kinesis", None)
            view.update(record.get("kinesis") or {})
        view[self.data_key] = data
        return view


def check_filters(
    logical_id: str, resource_type: str, kind: str, patterns: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Refuse what Lambda refuses (a pattern outside the grammar, more than 10 filters, a stream's
    data pattern that is not a JSON object); returns warnings (over the default quota of 5)."""
    where = f"{logical_id} ({resource_type})"
    if len(patterns) > MAX_FILTERS:
        raise ProvisionError(
            f"{where}: FilterCriteria has {len(patterns)} filters; Lambda allows at most {MAX_FILTERS}"
        )
    data_key = DATA_KEYS[kind]
    for index, pattern in enumerate(patterns):
        name = f"FilterCriteria.Filters[{index}].Pattern"
        try:
            compile_pattern(pattern)
        except PatternError as error:
            raise ProvisionError(f"{where}: {name}: {error}") from None
        if kind != "sqs" and data_key in pattern and not isinstance(pattern[data_key], Mapping):
            raise ProvisionError(
                f"{where}: {name}: the pattern of {data_key!r} must be a JSON object (a {kind} record's "
                "data is filtered as JSON)"
            )
    if len(patterns) > DEFAULT_QUOTA:
        return [
            f"{logical_id}: {len(patterns)} filters: AWS allows {DEFAULT_QUOTA} per event source unless "
            "the account's quota was raised (up to 10)"
        ]
    return []
