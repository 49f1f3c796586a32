"""One key's repair, and the condition that makes it safe against live events.

Why the condition is what it is. A reconcile has no S3 sequencer of its own, so it cannot take part in
the events' order (``controllers.sequencer``); instead every repair obeys three rules:

1. **Decide on a fresh read.** The listing only says *which* keys to look at. The state written comes
   from a HEAD (plus at most 64 KiB, ``controllers.describe``) made *after* the key's catalog item was
   read: a tombstone when HEAD finds no object, else the described object.
2. **Compare-and-set on what was read.** The write is conditional on the stored item being exactly the
   one read: same ``sequencer`` (every event write changes it: events only write a greater one) and
   same ``reconciled_at`` stamp (every reconcile write changes it), or still absent. So a reconcile
   never replaces anything an event wrote after the reconcile read the key; if an event wrote it
   before, the fresh HEAD already describes that state or a newer one.
3. **Keep the sequencer.** The written item carries the sequencer of the item it replaces (all zeros
   when there was none). Every event of an S3 change made after the read has a greater sequencer (its
   change came after the one that wrote the replaced item), so it overwrites the repair as it would
   have overwritten the replaced item: a repair never blocks a later event, and the event path's own
   order is untouched.

Hence: a reconcile write never replaces an entry an event wrote for a newer state (rule 2, and rule 1
for what was written before the read); it never resurrects an object deleted after the listing was
read (the HEAD of rule 1 comes after the read, so a delete before it is seen, and a delete after it
has an event whose tombstone either lands first, failing rule 2, or later, overwriting by rule 3); and
once events stop, a repair leaves the key as S3 has it. ``tests/unit/test_reconcile_property.py`` checks
all of it against a model that interleaves uploads, deletes, event deliveries and every step of a run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from upload_catalog.controllers.describe import describe_object
from upload_catalog.controllers.ports import ObjectStore
from upload_catalog.controllers.reconcile_ports import CatalogPartition
from upload_catalog.controllers.reconcile_walk import KeyState
from upload_catalog.controllers.sequencer import SEQUENCER_WIDTH
from upload_catalog.models import CatalogItem, ObjectHead, Tombstone
from upload_catalog.reconcile_models import CatalogRow, same_version

LOGGER = logging.getLogger("upload_catalog")

#: The sequencer of a repair that replaces no item: lower than every sequencer S3 sends.
ZERO_SEQUENCER = "0" * SEQUENCER_WIDTH

ADDED = "added"
FIXED = "fixed"
REMOVED = "removed"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass(frozen=True)
class RepairOutcome:
    key: str
    outcome: str
    detail: str = ""


class Repairer:
    """Applies rule 1-3 above to one key."""

    def __init__(
        self,
        objects: ObjectStore,
        partition: CatalogPartition,
        *,
        sniff_bytes: int,
        tombstone_ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._objects = objects
        self._partition = partition
        self._sniff_bytes = sniff_bytes
        self._ttl = tombstone_ttl_seconds
        self._clock = clock

    def repair(self, bucket: str, state: KeyState) -> RepairOutcome:
        """Bring the key's item to what S3 says now; never raises (a failure is an outcome)."""
        try:
            result = self._repair(bucket, state.key, state.row)
        except Exception as err:  # an AWS error after botocore's retries: the next run tries again
            result = RepairOutcome(state.key, FAILED, f"{type(err).__name__}: {err}")
            LOGGER.error(
                "reconcile s3://%s/%s failed: %s",
                bucket,
                state.key,
                result.detail,
                exc_info=err,
                extra={"key": state.key, "drift": state.drift, "outcome": FAILED},
            )
            return result
        LOGGER.info(
            "reconcile s3://%s/%s %s %s%s",
            bucket,
            state.key,
            state.drift,
            result.outcome,
            f": {result.detail}" if result.detail else "",
            extra={
                "key": state.key,
                "drift": state.drift,
                "outcome": result.outcome,
                "detail": result.detail,
            },
        )
        return result

    def _repair(self, bucket: str, key: str, row: CatalogRow | None) -> RepairOutcome:
        head = self._objects.head(bucket, key)  # rule 1: the current object, read after the row
        sequencer = row.sequencer if row is not None else ZERO_SEQUENCER  # rule 3
        item: CatalogItem
        if head is None:
            if row is None or not row.live:
                return RepairOutcome(key, SKIPPED, "the object is gone and so is its entry")
            item = Tombstone(bucket, key, sequencer, self._now_iso(), int(self._clock()) + self._ttl)
            outcome = REMOVED
        else:
            if row is not None and row.live and _describes(row, head):
                return RepairOutcome(key, SKIPPED, "the entry already describes the current object")
            entry = describe_object(
                self._objects,
                bucket,
                key,
                head,
                version_id=head.version_id,
                sniff_bytes=self._sniff_bytes,
                sequencer=sequencer,
                event_time=head.last_modified or self._now_iso(),
            )
            if entry is None:
                return RepairOutcome(key, SKIPPED, "the object was replaced while being read")
            item = entry
            outcome = FIXED if row is not None and row.live else ADDED
        stamp = self._stamp(row)
        if not self._partition.put_if_unchanged(item, expected=row, reconciled_at=stamp):  # rule 2
            return RepairOutcome(key, SKIPPED, "a live event wrote the entry meanwhile")
        return RepairOutcome(key, outcome)

    def _stamp(self, row: CatalogRow | None) -> int:
        """Milliseconds since the epoch, and always above the stamp it replaces (so it changes)."""
        now = int(self._clock() * 1000)
        previous = row.reconciled_at if row is not None and row.reconciled_at is not None else -1
        return max(now, previous + 1)

    def _now_iso(self) -> str:
        moment = datetime.fromtimestamp(self._clock(), UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _describes(row: CatalogRow, head: ObjectHead) -> bool:
    return row.size == head.size and row.etag == head.etag and same_version(row.version_id, head.version_id)
