"""SNS subscriptions are delivered by samlite, not by moto.

moto delivers a published message to each subscription itself (`moto.sns.models.Subscription.publish`):
to Lambda by running the function in Docker, to SQS with its own envelope and filter matcher. samlite
delivers to the template's functions with Lambda's asynchronous semantics, in SNS's exact shapes and
with EventBridge's pattern grammar for filter policies (`samlite.services.sns`), so moto's delivery is
replaced by a call to the handler samlite registered (`deliver_subscriptions_to`). With no handler
registered (an embedded AWS without samlite's services) moto delivers as it always did.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from samlite.moto_changes.handlers import HandlerStack
from samlite.moto_changes.seam import MotoChange, Patch, Target


@dataclass(frozen=True)
class Published:
    """One message for one subscription, as moto's Publish / PublishBatch hands it over."""

    subscription: Any  # moto's Subscription: protocol, endpoint, attributes, topic
    message: str
    message_id: str
    subject: str | None = None
    message_attributes: dict[str, Any] | None = None
    group_id: str | None = None
    deduplication_id: str | None = None
    message_structure: str | None = None


# handler(published): must only enqueue (it runs inside Publish).
SubscriptionHandler = Callable[[Published], None]
_handlers: HandlerStack[SubscriptionHandler] = HandlerStack()


def deliver_subscriptions_to(handler: SubscriptionHandler) -> Callable[[], None]:
    """Send every SNS subscription delivery to `handler`; returns the function that stops it."""
    return _handlers.register(handler)


def _through_samlite(original: Callable[..., None]) -> Callable[..., None]:
    signature = inspect.signature(original)

    def publish(self: Any, *args: Any, **kwargs: Any) -> None:
        handler = _handlers.current()
        if handler is None:
            original(self, *args, **kwargs)
            return
        arguments = signature.bind(self, *args, **kwargs).arguments
        arguments.pop("self")
        handler(Published(subscription=self, **arguments))

    return publish


CHANGE = MotoChange(
    name="sns-delivery-by-samlite",
    reason="moto delivers SNS messages to Lambda in Docker and filters with its own matcher",
    patches=(
        Patch(
            Target(
                "moto.sns.models:Subscription.publish",
                "(self, message, message_id, subject=None, message_attributes=None, group_id=None, "
                "deduplication_id=None, message_structure=None)",
            ),
            _through_samlite,
        ),
    ),
    service="sns",
)
