"""Keeping the statistics exact from the catalog table's stream (``NEW_AND_OLD_IMAGES``).

Lambda delivers a DynamoDB stream at least once: a batch may come again after it succeeded, a failed
batch is retried (and bisected with ``BisectBatchOnFunctionError``), and with ``ReportBatchItemFailures``
everything from the reported record on comes again. Adding each record's change to the totals would
count replays twice. Instead the totals are kept equal to the sum, over catalog keys, of what a per-key
**marker** says that key counts for, and the marker moves only forward:

- the marker of a key holds the stream ``SequenceNumber`` of the record it reflects, and what the key
  counts for in that record's new image;
- a record is applied only when its sequence number is above the marker's (DynamoDB Streams numbers
  each record "reflecting the order in which the record was published to the stream", and a key's
  records appear "in the same sequence as the actual modifications to the item": Amazon DynamoDB
  Developer Guide, "Change data capture for DynamoDB Streams"); applying moves the totals by
  *new image minus marker* (never by the old image, which a replay would apply again) and sets the
  marker, in one DynamoDB transaction conditional on the marker being the one read.

So a duplicate or an older record changes nothing, whatever order replays come in, and once every
record has been processed at least once each marker reflects its key's last image: the totals equal a
fresh count of the catalog (``tests/unit/test_stats_property.py``). Records are processed in order, in
runs of a few keys (one transaction each, at most 100 items); at the first run that cannot be committed
the function reports that run's first record as the batch item failure, and Lambda retries from there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from upload_catalog.controllers.stats_ports import StatsStore
from upload_catalog.controllers.stats_rules import contribution, deltas, merge
from upload_catalog.stats_models import Deltas, ItemChange, MarkerWrite

LOGGER = logging.getLogger("upload_catalog")

#: Distinct keys per transaction: a key moves at most 6 totals items and its marker (7 actions), and a
#: DynamoDB transaction takes at most 100.
KEYS_PER_TRANSACTION = 14
#: Tries of one run when a marker changed between its read and the transaction (a concurrent replay).
ATTEMPTS = 3


class StreamRecordError(ValueError):
    """A stream record that is not a change of a catalog item; the message names the field."""


@dataclass(frozen=True)
class _Record:
    index: int
    sequence_text: str
    bucket: str
    key: str
    change: ItemChange


class StatsUpdater:
    """Applies batches of the catalog table's stream records to the statistics."""

    def __init__(self, store: StatsStore, *, keys_per_transaction: int = KEYS_PER_TRANSACTION) -> None:
        self._store = store
        self._keys_per_transaction = keys_per_transaction

    def handle(self, event: Any) -> dict[str, list[dict[str, str]]]:
        """Process the batch in order; the partial batch response Lambda expects (``batchItemFailures``)."""
        records = event.get("Records") if isinstance(event, dict) else None
        if not isinstance(records, list):
            raise StreamRecordError("event has no 'Records' list: not a DynamoDB stream batch")
        applied = 0
        for run in self._runs(records):
            try:
                changes = self._apply(run)
            except Exception as err:  # a malformed record, or AWS after retries: Lambda retries from here
                first = run[0]
                LOGGER.error(
                    "stats: records from %s on not applied (%s: %s); the stream retries them",
                    first.sequence_text if isinstance(first, _Record) else f"#{first}",
                    type(err).__name__,
                    err,
                    exc_info=not isinstance(err, StreamRecordError),
                    extra={"applied": applied, "failed_from": _identifier(first, records)},
                )
                return {"batchItemFailures": [{"itemIdentifier": _identifier(first, records)}]}
            applied += changes
        LOGGER.info(
            "stats: %d records, %d key changes applied", len(records), applied, extra={"applied": applied}
        )
        return {"batchItemFailures": []}

    def _runs(self, records: list[Any]) -> Iterator[list[Any]]:
        """Consecutive records with at most ``keys_per_transaction`` distinct keys each; a malformed record
        is a run of its own (its index), so the records before it are still applied."""
        run: list[Any] = []
        keys: set[tuple[str, str]] = set()
        for index, raw in enumerate(records):
            try:
                record = _parse(index, raw)
            except StreamRecordError as err:
                if run:
                    yield run
                yield [_Malformed(index, str(err))]
                run, keys = [], set()
                continue
            where = (record.bucket, record.key)
            if where not in keys and len(keys) >= self._keys_per_transaction:
                yield run
                run, keys = [], set()
            run.append(record)
            keys.add(where)
        if run:
            yield run

    def _apply(self, run: list[Any]) -> int:
        """Apply one run; the number of keys whose marker moved. Raises what cannot be applied."""
        if isinstance(run[0], _Malformed):
            raise StreamRecordError(run[0].reason)
        latest: dict[tuple[str, str], ItemChange] = {}
        for record in run:
            where = (record.bucket, record.key)
            if where not in latest or record.change.sequence > latest[where].sequence:
                latest[where] = record.change
        for _ in range(ATTEMPTS):
            stored = self._store.markers(list(latest))
            writes: list[MarkerWrite] = []
            moved: Deltas = {}
            for where, change in latest.items():
                marker = stored.get(where)
                if marker is not None and marker.sequence >= change.sequence:
                    continue  # already counted: a duplicate, a retry, or an older record
                before = marker.contribution if marker is not None else None
                moved = merge(moved, deltas(before, change.contribution))
                writes.append(MarkerWrite(change, marker))
            if not writes:
                return 0
            if self._store.commit(writes, moved):
                return len(writes)
        raise RuntimeError(f"markers kept changing under {ATTEMPTS} attempts: a concurrent consumer?")


@dataclass(frozen=True)
class _Malformed:
    index: int
    reason: str


def _identifier(first: Any, records: list[Any]) -> str:
    """The itemIdentifier Lambda expects: the record's SequenceNumber (or its index if it has none)."""
    if isinstance(first, _Record):
        return first.sequence_text
    raw = records[first.index] if isinstance(first, _Malformed) else None
    sequence = raw.get("dynamodb", {}).get("SequenceNumber") if isinstance(raw, dict) else None
    return str(sequence) if sequence else str(first.index)


def _parse(index: int, raw: Any) -> _Record:
    if not isinstance(raw, dict) or not isinstance(raw.get("dynamodb"), dict):
        raise StreamRecordError(f"record {index} has no 'dynamodb' object: not a DynamoDB stream record")
    body = raw["dynamodb"]
    sequence_text = body.get("SequenceNumber")
    if not isinstance(sequence_text, str) or not sequence_text.isdigit():
        raise StreamRecordError(f"record {index}: dynamodb.SequenceNumber is {sequence_text!r}, not digits")
    keys = body.get("Keys") or {}
    bucket, key = keys.get("bucket", {}).get("S"), keys.get("key", {}).get("S")
    if not bucket or not key:
        raise StreamRecordError(f"record {index}: dynamodb.Keys has no bucket and key: not the catalog table")
    name = raw.get("eventName")
    if name in ("INSERT", "MODIFY"):
        if "NewImage" not in body:
            raise StreamRecordError(
                f"record {index} ({name}) has no dynamodb.NewImage: the stream's view type must be "
                "NEW_AND_OLD_IMAGES (or NEW_IMAGE)"
            )
        image = body["NewImage"]
    elif name == "REMOVE":
        image = None
    else:
        raise StreamRecordError(f"record {index}: eventName is {name!r}, expected INSERT, MODIFY or REMOVE")
    try:
        counted = contribution(image)
    except ValueError as err:
        raise StreamRecordError(f"record {index}: {err}") from None
    sequence = int(sequence_text)
    return _Record(index, sequence_text, bucket, key, ItemChange(bucket, key, sequence, counted))
