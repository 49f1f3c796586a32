"""SQS costs per message that do not grow with the queue: one clock reading per scan, not two a message.

moto decides whether each message is visible or delayed by reading the clock twice per message
(`Message.visible`, `Message.delayed`: `unix_time_millis()`, about 10 µs each), and it does so over the
whole queue far more often than it seems: `Queue.messages` on every receive, and the three
`ApproximateNumberOfMessages*` counts inside `Queue.attributes`, which SendMessage reads for one flag
(`ContentBasedDeduplication`) and ReceiveMessage reads once per message it returns (through the
retention check). A queue a few hundred messages deep made each send and receive tens of milliseconds
slower, which an event-source mapping, receiving in a loop while the user sends, turns into a crawl.
The same decisions are made here against one reading of moto's clock per scan (so a frozen moto clock
is still honoured), and the retention check reads the queue's retention period instead of computing
every attribute. Nothing a client can observe changes, except the time it takes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target


def _now_ms() -> float:
    from moto.core.utils import unix_time_millis

    return unix_time_millis()


def _messages(_original: Any) -> property:
    def messages(self: Any) -> list[Any]:
        now = _now_ms()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    return property(messages, doc="moto's visible, undelayed messages, against one clock reading")


def _delayed_count(_original: Any) -> property:
    def count(self: Any) -> int:
        now = _now_ms()
        return sum(1 for m in self._messages if now < m.delayed_until)

    return property(count)


def _not_visible_count(_original: Any) -> property:
    def count(self: Any) -> int:
        now = _now_ms()
        return sum(1 for m in self._messages if not now > m.visible_at)

    return property(count)


def _retention_check(original: Callable[..., bool]) -> Callable[..., bool]:
    from moto.core.utils import unix_time

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        retention_period = int(self.get_queue(queue_name).message_retention_period)
        return bool(retention_period + message.sent_timestamp / 1000 > unix_time())

    return is_message_valid_based_on_retention_period


CHANGE = MotoChange(
    name="sqs-scan-cost",
    reason="moto reads the clock twice per message on every SQS scan, making sends and receives O(queue)",
    patches=(
        Patch(Target("moto.sqs.models:Queue.messages", "property(self)"), _messages),
        Patch(
            Target("moto.sqs.models:Queue.approximate_number_of_messages_delayed", "property(self)"),
            _delayed_count,
        ),
        Patch(
            Target("moto.sqs.models:Queue.approximate_number_of_messages_not_visible", "property(self)"),
            _not_visible_count,
        ),
        Patch(
            Target(
                "moto.sqs.models:SQSBackend.is_message_valid_based_on_retention_period",
                "(self, queue_name, message)",
            ),
            _retention_check,
        ),
    ),
    service="sqs",
)
