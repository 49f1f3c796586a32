"""moto sends no S3 event notifications: samlite builds and delivers them itself.

moto sends S3 notifications from inside its S3 backend (`moto.s3.notifications.send_event`): to
Lambda by running the function in Docker, and to SQS/SNS with records lacking `sequencer`,
`versionId`, `userIdentity`, `requestParameters` and `responseElements`; it also fires
CompleteMultipartUpload twice and nothing for deletes on versioned buckets. samlite builds the events
from the requests the endpoint served (`samlite.services.s3.notifications`), so moto's must not go out
as well. `send_test_event`, the `s3:TestEvent` S3 sends to queues and topics when their configuration
is set, is left alone: S3 does send it.
"""

from __future__ import annotations

from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target


def _no_event(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for moto's send_event while samlite delivers S3 events."""


CHANGE = MotoChange(
    name="s3-notifications-off",
    reason="moto's S3 notifications run functions in Docker and lack fields AWS sends",
    patches=(
        Patch(
            Target("moto.s3.notifications:send_event", "(account_id, event_name, bucket, key)"),
            lambda _: _no_event,
        ),
    ),
    service="s3",
)


def moto_s3_events_silenced() -> bool:
    from moto.s3 import notifications

    return notifications.send_event is _no_event
