"""A queue as Lambda's SQS poller sees it: receive, delete, and what is still to come.

Lambda reads a queue with ReceiveMessage and deletes what the function processed; SQS itself hides
received messages for the visibility timeout, counts receives, and moves a message to the queue's
dead-letter queue once it has been received `maxReceiveCount` times ("Using dead-letter queues in
Amazon SQS": the move happens when the message would be received once more). moto does all of that,
silently; samlite moves such messages itself, just before receiving, so that each move gets a line in
the consuming function's log (`on_dead_letter`). Everything runs on moto's in-process backend (the
service, not the function, reads the queue: no credentials, no HTTP).

`QueueReader` also answers the questions the pollers' idle check asks: is there a message a poller
would take now (visible, not delayed, its FIFO group not in flight), one that will become visible
later (delayed, or hidden after a failed invocation), and when.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from samlite.events.sqs import SqsMessage
from samlite.model import AwsApi
from samlite.moto_changes import sqs_event_sources

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _queue_lock(key: str) -> threading.Lock:
    """One lock per queue for samlite's own receives: two mappings of one queue never both get a message."""
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


@dataclass(frozen=True)
class DeadLettered:
    """A message SQS moved to the dead-letter queue, for the log line."""

    message_id: str
    receive_count: int
    max_receive_count: int
    dead_letter_queue_arn: str


class QueueGone(LookupError):
    """The queue no longer exists in the embedded AWS (the local cloud is stopping)."""


class QueueReader:
    """One queue of moto's SQS backend, read the way Lambda reads it (see module doc)."""

    def __init__(
        self,
        aws: AwsApi,
        queue_name: str,
        *,
        on_dead_letter: Callable[[DeadLettered], None],
    ) -> None:
        self._aws = aws
        self.name = queue_name
        self._on_dead_letter = on_dead_letter
        self._lock = _queue_lock(f"{aws.account_id}/{aws.region}/{queue_name}")

    # -- the queue ----------------------------------------------------------------------------------

    def _backend(self) -> Any:
        return self._aws.backend("sqs")

    def _queue(self) -> Any:
        queue = self._backend().queues.get(self.name)
        if queue is None:
            raise QueueGone(self.name)
        return queue

    @property
    def arn(self) -> str:
        return str(self._queue().queue_arn)

    @property
    def visibility_timeout_s(self) -> int:
        return int(self._queue().visibility_timeout)

    @property
    def fifo(self) -> bool:
        return bool(self._queue().fifo_queue)

    def subscribe(self, wake: Callable[[], None]) -> Callable[[], None]:
        """Call `wake()` whenever a message is added to this queue; returns the unsubscriber."""

        def added(queue: Any) -> None:
            if getattr(queue, "name", None) == self.name:
                wake()

        return sqs_event_sources.message_added.add(added)

    # -- what a poller does -------------------------------------------------------------------------

    def receive(self, count: int, visibility_timeout_s: int) -> list[SqsMessage]:
        """Up to `count` messages, hidden for `visibility_timeout_s` and their receive count raised;
        messages due for the dead-letter queue are moved there first (each reported)."""
        with self._lock:
            queue = self._queue()
            self._redrive(queue)
            received = self._backend().receive_message(
                self.name, count, 0, visibility_timeout_s, message_attribute_names=["All"]
            )
        return [_message(message) for message in received]

    def delete(self, receipt_handle: str) -> bool:
        """Delete a processed message; False when it is already gone (the queue was purged)."""
        try:
            self._backend().delete_message(self.name, receipt_handle)
        except Exception:  # ReceiptHandleIsInvalid after a purge, or the queue itself is gone
            return False
        return True

    def release(self, receipt_handles: Iterable[str]) -> int:
        """Make received messages visible again now (ChangeMessageVisibility 0: a consumer that stops
        before it processes them hands them back); how many were still there to release."""
        released = 0
        for receipt_handle in receipt_handles:
            try:
                self._backend().change_message_visibility(self.name, receipt_handle, 0)
            except Exception:  # deleted or purged meanwhile, or the queue itself is gone
                continue
            released += 1
        return released

    def _redrive(self, queue: Any) -> None:
        policy = queue.redrive_policy or {}
        dead_letter_queue = queue.dead_letter_queue
        if dead_letter_queue is None or "maxReceiveCount" not in policy:
            return
        limit = int(policy["maxReceiveCount"])
        due = [m for m in queue.messages if m.approximate_receive_count >= limit]
        for message in due:
            queue._messages.remove(message)
            queue.pending_messages.discard(message)
            dead_letter_queue.add_message(message)
            self._on_dead_letter(
                DeadLettered(
                    message.id, message.approximate_receive_count, limit, dead_letter_queue.queue_arn
                )
            )

    # -- what is still to come ----------------------------------------------------------------------

    def takeable(self, now: float | None = None) -> bool:
        """Whether a receive now would return a message (or move one to the dead-letter queue): one is
        visible, not delayed, and, on a FIFO queue, no message of its group is in flight. `now`: moto's
        clock in milliseconds, read once by the caller when it asks more than one question."""
        from moto.core.utils import unix_time_millis

        queue = self._queue()
        if now is None:
            now = unix_time_millis()  # one reading for the whole scan, as moto's own (see sqs_scan_cost)
        in_flight = (
            {
                m.group_id
                for m in list(queue.pending_messages)
                if m.group_id is not None and not now > m.visible_at
            }
            if queue.fifo_queue
            else set()
        )
        return any(
            now > m.visible_at and not now < m.delayed_until and m.group_id not in in_flight
            for m in list(queue._messages)
        )

    def next_change_in(self, message_ids: Iterable[str], now_ms: float | None = None) -> float | None:
        """Seconds until the next of `message_ids` (hidden after a failed invocation) or of the delayed
        messages becomes visible; None when none is waiting."""
        from moto.core.utils import unix_time_millis

        wanted = set(message_ids)
        if now_ms is None:
            now_ms = unix_time_millis()
        waits = [
            max(m.visible_at if m.id in wanted else 0.0, m.delayed_until) - now_ms
            for m in list(self._queue()._messages)
        ]
        pending = [wait for wait in waits if wait > 0]
        return min(pending) / 1000 if pending else None

    def settled(self) -> bool:
        """No message a receive would take now and none delayed, both against ONE reading of the clock:
        read twice, a delay ending between the readings would be neither takeable nor pending."""
        from moto.core.utils import unix_time_millis

        now = unix_time_millis()
        return not self.takeable(now) and self.next_change_in((), now) is None

    def present(self, message_ids: Iterable[str]) -> set[str]:
        """Which of `message_ids` are still in the queue (not deleted, purged or dead-lettered)."""
        wanted = set(message_ids)
        if not wanted:
            return set()
        return {message.id for message in list(self._queue()._messages) if message.id in wanted}


def _message(message: Any) -> SqsMessage:
    trace = (message.system_attributes or {}).get("AWSTraceHeader") or {}
    attributes = dict(message.message_attributes or {})
    return SqsMessage(
        message_id=message.id,
        receipt_handle=message.receipt_handle,
        body=message.body,
        sent_timestamp_ms=int(message.sent_timestamp or 0),
        first_receive_timestamp_ms=int(message.approximate_first_receive_timestamp or 0),
        receive_count=int(message.approximate_receive_count),
        sender_id=str(message.sender_id),
        message_attributes=attributes,
        md5_of_message_attributes=message.attribute_md5 if attributes else None,
        group_id=message.group_id,
        deduplication_id=message.deduplication_id,
        sequence_number=message.sequence_number,
        trace_header=trace.get("StringValue") if isinstance(trace, dict) else None,
    )
