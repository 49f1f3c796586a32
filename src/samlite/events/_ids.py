"""Fresh identifiers and timestamps in the formats AWS services put in their events."""

from __future__ import annotations

import base64
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_millis(moment: datetime) -> str:
    """`2024-05-01T12:34:56.789Z`: ISO-8601 with milliseconds and Z, as S3 writes eventTime."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def clf_time(moment: datetime) -> str:
    """`09/Apr/2015:12:34:56 +0000`: API Gateway's requestTime (common log format)."""
    return moment.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def epoch_millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def s3_request_id() -> str:
    """16 uppercase hex characters, like S3's x-amz-request-id."""
    return secrets.token_hex(8).upper()


def s3_host_id() -> str:
    """A base64 token shaped like S3's x-amz-id-2."""
    return base64.b64encode(secrets.token_bytes(56)).decode("ascii")


_last_sequencer = 0
_sequencer_lock = threading.Lock()


def s3_sequencer() -> str:
    """A strictly increasing uppercase hex sequencer (S3 documents only: compare after zero padding).

    Locked because concurrent uploads (the endpoint serves requests on many threads) must never get
    the same value: the catalog treats an equal sequencer as a duplicate event.
    """
    global _last_sequencer  # noqa: PLW0603 (process-wide monotonic counter)
    with _sequencer_lock:
        value = max(time.time_ns(), _last_sequencer + 1)
        _last_sequencer = value
    return f"{value:018X}"


def request_uuid() -> str:
    return str(uuid.uuid4())


def http_api_request_id() -> str:
    """HTTP APIs use short base64 ids such as `JKJaXmPLvHcESHA=`."""
    return base64.b64encode(secrets.token_bytes(10)).decode("ascii")


def iso_seconds(moment: datetime) -> str:
    """`2017-12-22T18:43:48Z`: EventBridge's `time` (whole seconds, Z)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
