"""The catalog's rules: how each S3 event record changes the table.

Correctness under the way S3 really delivers events (at least once, in any order):
- every write is conditional on the key's stored ``sequencer`` being older (see ``ports.CatalogStore``),
  so duplicates and late events are no-ops, whatever order they come in;
- a create describes the object as it is *now* (HEAD, then a ranged GET guarded by the HEAD's ETag): if
  it is gone, nothing is written and the delete's own event leaves the tombstone; if it was replaced,
  the replacing write's newer event will describe it;
- a delete writes a tombstone carrying its sequencer, so an older create processed later loses the
  conditional write instead of resurrecting the object. DynamoDB TTL removes the tombstone later.
- malformed records and failed records never stop the others; the invocation fails at the end so that
  Lambda retries it and finally sends it to the dead-letter queue.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from upload_catalog.controllers.describe import describe_object
from upload_catalog.controllers.events import parse_event
from upload_catalog.controllers.ports import CatalogStore, ObjectStore
from upload_catalog.models import Action, CatalogItem, ObjectEvent, ObjectHead, Tombstone

LOGGER = logging.getLogger("upload_catalog")


@dataclass(frozen=True)
class RecordOutcome:
    """What happened to one record; ``outcome`` is one of the OUTCOME_* strings."""

    index: int
    bucket: str | None
    key: str | None
    action: str
    outcome: str
    detail: str = ""


OUTCOME_WRITTEN = "written"  # a live entry was stored
OUTCOME_TOMBSTONED = "tombstoned"  # a tombstone was stored
OUTCOME_STALE = "stale"  # duplicate or older than the stored state: nothing written
OUTCOME_GONE = "gone"  # the object no longer exists: nothing written, its delete event will say so
OUTCOME_SUPERSEDED = "superseded"  # the object was replaced while being read: its newer event will say so
OUTCOME_IGNORED = "ignored"  # test event or an event type this function does not handle
OUTCOME_MALFORMED = "malformed"
OUTCOME_FAILED = "failed"  # AWS error after botocore's retries


@dataclass
class InvocationReport:
    """Outcomes of every record of one invocation."""

    records: list[RecordOutcome] = field(default_factory=list)

    @property
    def problems(self) -> list[RecordOutcome]:
        return [r for r in self.records if r.outcome in (OUTCOME_MALFORMED, OUTCOME_FAILED)]

    def summary(self) -> dict[str, Any]:
        """A small JSON-able result (the Lambda's return value)."""
        counts = Counter(r.outcome for r in self.records)
        return {"records": len(self.records), "outcomes": dict(sorted(counts.items()))}


class EventProcessingError(Exception):
    """Raised after all records were tried, when some were malformed or failed: the event must be retried
    (and finally dead-lettered) rather than acknowledged."""

    def __init__(self, report: InvocationReport) -> None:
        self.report = report
        problems = report.problems
        details = "; ".join(f"record {p.index} ({p.outcome}): {p.detail}" for p in problems[:5])
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} of {len(report.records)} records not processed: {details}{more}")


class CatalogController:
    """Applies S3 notification events to the catalog through its two ports."""

    def __init__(
        self,
        objects: ObjectStore,
        catalog: CatalogStore,
        *,
        sniff_bytes: int,
        tombstone_ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._objects = objects
        self._catalog = catalog
        self._sniff_bytes = sniff_bytes
        self._ttl = tombstone_ttl_seconds
        self._clock = clock

    def handle_event(self, event: Any) -> InvocationReport:
        """Process every record of ``event``; raise EventProcessingError at the end if any could not be."""
        parsed = parse_event(event)
        report = InvocationReport()
        for index, ignored in parsed.ignored:
            self._record(
                report, RecordOutcome(index, ignored.bucket, ignored.key, ignored.event_name, OUTCOME_IGNORED)
            )
        for index, obj in parsed.objects:
            error: Exception | None = None
            try:
                outcome, detail = self.apply(obj)
            except Exception as err:  # an AWS error after botocore's own retries: retry the event later
                error = err
                outcome, detail = OUTCOME_FAILED, f"{type(err).__name__}: {err}"
            self._record(
                report, RecordOutcome(index, obj.bucket, obj.key, obj.action.value, outcome, detail), error
            )
        for bad in parsed.malformed:
            self._record(report, RecordOutcome(bad.index, None, None, "none", OUTCOME_MALFORMED, bad.reason))
        if report.problems:
            raise EventProcessingError(report)
        return report

    def apply(self, event: ObjectEvent) -> tuple[str, str]:
        """Apply one valid record; return (outcome, detail)."""
        if event.action is Action.REMOVE:
            return self._store(self._tombstone(event))
        if event.action is Action.RECONCILE:
            # One version was deleted for good: the key's current object (if any) is now authoritative.
            # The event's versionId names the *deleted* version, so it must not be used to read the current
            # one. HEAD reports a "null" version (written before versioning was enabled, or while it was
            # suspended) as None: that version is then read without a VersionId, guarded by its ETag.
            head = self._objects.head(event.bucket, event.key)
            if head is None:
                return self._store(self._tombstone(event))
            return self._describe(event, head, head.version_id)
        head = self._objects.head(event.bucket, event.key, event.version_id)
        if head is None:
            return OUTCOME_GONE, "HEAD found no object"
        return self._describe(event, head, head.version_id or event.version_id)

    def _describe(self, event: ObjectEvent, head: ObjectHead, version_id: str | None) -> tuple[str, str]:
        """Catalogue the object ``head`` describes; ``version_id`` is that object's version (None: the
        current object, whose ETag the ranged GET still checks)."""
        entry = describe_object(
            self._objects,
            event.bucket,
            event.key,
            head,
            version_id=version_id,
            sniff_bytes=self._sniff_bytes,
            sequencer=event.sequencer,
            event_time=event.event_time,
        )
        if entry is None:
            return OUTCOME_SUPERSEDED, "object replaced or removed between HEAD and GET"
        return self._store(entry)

    def _tombstone(self, event: ObjectEvent) -> Tombstone:
        return Tombstone(
            bucket=event.bucket,
            key=event.key,
            sequencer=event.sequencer,
            event_time=event.event_time,
            expires_at=int(self._clock()) + self._ttl,
        )

    def _store(self, item: CatalogItem) -> tuple[str, str]:
        if not self._catalog.put_if_newer(item):
            return OUTCOME_STALE, "stored state has an equal or newer sequencer"
        return (OUTCOME_TOMBSTONED if isinstance(item, Tombstone) else OUTCOME_WRITTEN), ""

    @staticmethod
    def _record(report: InvocationReport, outcome: RecordOutcome, error: Exception | None = None) -> None:
        """Keep the outcome and log one line for it (never the whole event); a failure carries its trace."""
        report.records.append(outcome)
        level = logging.ERROR if outcome.outcome in (OUTCOME_MALFORMED, OUTCOME_FAILED) else logging.INFO
        location = f"s3://{outcome.bucket}/{outcome.key}" if outcome.bucket else f"record {outcome.index}"
        LOGGER.log(
            level,
            "%s %s %s%s",
            outcome.action,
            location,
            outcome.outcome,
            f": {outcome.detail}" if outcome.detail else "",
            exc_info=error,
            extra={
                "record": outcome.index,
                "bucket": outcome.bucket,
                "key": outcome.key,
                "action": outcome.action,
                "outcome": outcome.outcome,
                "detail": outcome.detail,
            },
        )
