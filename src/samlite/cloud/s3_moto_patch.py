"""Silence moto's own S3 event notifications while samlite delivers them itself.

moto sends S3 notifications from inside its S3 backend (`moto.s3.notifications.send_event`): to
Lambda by running the function in Docker, and to SQS/SNS with records lacking `sequencer`,
`versionId`, `userIdentity`, `requestParameters` and `responseElements`; it also fires
CompleteMultipartUpload twice and nothing for deletes on versioned buckets. samlite builds the events
itself from the served requests (`s3_notifications`), so moto's must not go out as well.

The patch replaces the module attribute `moto.s3.notifications.send_event` (moto's S3 models call it
as `notifications.send_event(...)`) with a no-op, and is reversible: `restore()` puts moto's function
back once the last user is gone (uses are counted, so several embedded endpoints in one process, e.g.
in tests, can each apply and restore it). `send_test_event`, the `s3:TestEvent` that S3 sends to
queues and topics when their configuration is set, is left alone: S3 does send it.
"""

from __future__ import annotations

import threading
from typing import Any


class _PatchState:
    """How many users want moto silenced, and moto's own function to put back."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.original: Any = None


_state = _PatchState()


def _no_event(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for moto's send_event while samlite delivers S3 events."""


def silence_moto_s3_events() -> None:
    """Stop moto from sending S3 event notifications (counted; pair each call with `restore`)."""
    from moto.s3 import notifications

    with _state.lock:
        if _state.users == 0:
            _state.original = notifications.send_event
            notifications.send_event = _no_event  # type: ignore[assignment]
        _state.users += 1


def restore_moto_s3_events() -> None:
    """Undo one `silence_moto_s3_events`; moto's function comes back after the last one."""
    from moto.s3 import notifications

    with _state.lock:
        if _state.users == 0:
            return
        _state.users -= 1
        if _state.users == 0:
            notifications.send_event = _state.original
            _state.original = None


def moto_s3_events_silenced() -> bool:
    from moto.s3 import notifications

    return notifications.send_event is _no_event
