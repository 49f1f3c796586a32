"""S3 event notifications, built by samlite from the S3 requests the embedded endpoint served.

`S3Notifier` is an endpoint request observer (`EmbeddedAws.add_request_observer`). For each served S3
request it finds the object changes (`changes`), reads the bucket's notification configuration
and the object's size / ETag from moto's S3 backend, builds one record per change and matching
configuration, and hands it on: Lambda configurations to the async invoker (a queue,
so the S3 request returns before the function runs), queue and topic configurations to SQS / SNS.

Order and facts come from the write itself: each change is matched with the `ObjectWrite` moto made
for it (`ServedRequest.object_writes`), which carries the sequencer taken under the key's lock in the
same step as the write (so one key's sequencers follow the order S3 applied its writes, whatever the
concurrency: "Event message structure" in the S3 User Guide) and the size, ETag and version of what
was written (read later, a second upload of the same key could already have replaced them). A change
without its write (not expected) gets a fresh sequencer and reads the object from moto's backend.

Matching follows S3 ("Event notification types and destinations", "Configuring event notifications
using object key name filtering"): an event type matches itself or its `s3:<Group>:*` wildcard;
`prefix` / `suffix` filter rules (names case-insensitive) apply to the decoded key name.

A bucket with `EventBridgeConfiguration` also sends every change to EventBridge's default bus ("Using
EventBridge", S3 User Guide: no filter, every "Object Created" and "Object Deleted"), through
`send_to_eventbridge` when the local cloud routes EventBridge events.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from samlite.events import S3EventRecord, s3_sequencer
from samlite.events.eventbridge import s3_eventbridge_event
from samlite.iam.identities import CallerIdentity
from samlite.model import ObjectWrite, ServedRequest
from samlite.services.awslambda.recursion import ChainTracker
from samlite.services.s3.changes import S3Change, S3RequestError, changes_of
from samlite.services.targets import OutboundMessage, SendToTarget
from samlite.wire.s3_request import header_value

# Deliver an S3 event to a function: (function ARN, event JSON, chain depth) -> None; must only enqueue.
DeliverToFunction = Callable[[str, bytes, int], None]
# Send S3's EventBridge event to the default bus: (event, chain depth) -> None; must only enqueue.
SendToEventBridge = Callable[[dict[str, Any], int], None]


class S3Notifier:
    """Request observer that turns served S3 requests into AWS-shaped S3 event notifications."""

    def __init__(
        self,
        *,
        s3_backend: Callable[[], Any],
        region: str,
        deliver_to_function: DeliverToFunction,
        send_to_target: SendToTarget,
        log: Callable[[str], None],
        identify: Callable[[str | None], CallerIdentity] | None = None,
        chain: ChainTracker | None = None,
        owner_principal_id: str = "A3NL1KOZZKEXAMPLE",
        send_to_eventbridge: SendToEventBridge | None = None,
        account_id: str = "123456789012",
    ) -> None:
        self._s3_backend = s3_backend
        self._region = region
        self._deliver_to_function = deliver_to_function
        self._send_to_target = send_to_target
        self._log = log
        self._identify = identify or (lambda key: CallerIdentity(f"AWS:{key}" if key else "Anonymous"))
        self._chain = chain or ChainTracker()
        self._owner_principal_id = owner_principal_id
        self._account_id = account_id
        # Set by the local cloud once EventBridge routing is wired (None: such buckets are warned about).
        self.send_to_eventbridge = send_to_eventbridge
        self._warned_eventbridge: set[str] = set()

    def __call__(self, request: ServedRequest) -> None:
        """Observer entry point: never raises, whatever the request (the S3 response is already made)."""
        if request.service != "s3":
            return
        try:
            changes = changes_of(request)
            if changes:
                self._notify(request, changes)
        except S3RequestError as error:
            self._log(f"samlite: S3 event not sent: {error}")
        except Exception as error:
            self._log(
                f"samlite: S3 event for {request.method} {request.path} not sent: internal error "
                f"{type(error).__name__}: {error}"
            )

    def _notify(self, request: ServedRequest, changes: list[S3Change]) -> None:
        backend = self._s3_backend()
        depth = self._chain.caller_depth(request.access_key_id, request.headers) + 1
        answered = request.response_headers
        request_id = header_value(answered, "x-amz-request-id") or secrets.token_hex(8).upper()
        host_id = header_value(answered, "x-amz-id-2") or secrets.token_urlsafe(48)
        writes = _writes_of(changes, request.object_writes)
        for change, write in zip(changes, writes, strict=True):
            bucket = backend.buckets.get(change.bucket)
            config = getattr(bucket, "notification_configuration", None) if bucket else None
            if config is None:
                continue
            eventbridge = getattr(config, "event_bridge", None) is not None
            targets = _matching_targets(config, "s3:" + change.event_name, change.key)
            if not targets and not eventbridge:
                continue
            # One record per change (one sequencer, one eventTime), copied per configuration.
            record = S3EventRecord(
                event_name=change.event_name,
                bucket=change.bucket,
                key=change.key,
                region=self._region,
                principal_id=self._identify(change.access_key_id).principal_id,
                owner_principal_id=self._owner_principal_id,
                source_ip=request.source_ip,
                request_id=request_id,
                host_id=host_id,
                sequencer=write.sequencer if write is not None else s3_sequencer(),
                **self._object_facts(backend, bucket, change, write),
            )
            if eventbridge:
                self._to_eventbridge(record, change, depth)
            for kind, arn, configuration_id in targets:
                body = json.dumps({"Records": [replace(record, configuration_id=configuration_id).to_dict()]})
                if kind == "lambda":
                    self._deliver_to_function(arn, body.encode("utf-8"), depth)
                else:
                    self._send_to_target(arn, OutboundMessage(body=body))

    def _object_facts(
        self, backend: Any, bucket: Any, change: S3Change, write: ObjectWrite | None
    ) -> dict[str, Any]:
        """versionId (versioned buckets only) and, for creations, size and ETag of this very version:
        as written (`write`), else read back from moto."""
        versioned = getattr(bucket, "versioning_status", None) in ("Enabled", "Suspended")
        version_id = change.version_id if versioned else None
        if versioned and version_id is None and write is not None:
            version_id = write.version_id
        if not change.event_name.startswith("ObjectCreated:"):
            return {"version_id": version_id}
        if write is not None and write.size is not None:
            return {"size": write.size, "etag": write.etag, "version_id": version_id}
        size, etag = None, change.etag
        try:
            key = backend.get_object(change.bucket, change.key, version_id=version_id)
        except Exception as error:
            key = None
            self._log(f"samlite: S3 event for s3://{change.bucket}/{change.key}: object unreadable: {error}")
        if key is not None:
            size, etag = key.size, key.etag
            if versioned and version_id is None:
                version_id = str(key.version_id)
        return {"size": size, "etag": etag.strip('"') if etag else None, "version_id": version_id}

    def _to_eventbridge(self, record: S3EventRecord, change: S3Change, depth: int) -> None:
        send = self.send_to_eventbridge
        if send is None:
            if change.bucket not in self._warned_eventbridge:
                self._warned_eventbridge.add(change.bucket)
                self._log(
                    f"samlite: bucket {change.bucket}: EventBridge notifications are not delivered locally"
                )
            return
        event = s3_eventbridge_event(
            record.event_name,
            bucket=record.bucket,
            key=record.key,
            account=self._account_id,
            region=record.region,
            size=record.size,
            etag=record.etag,
            version_id=record.version_id,
            sequencer=record.sequencer,
            request_id=record.request_id,
            source_ip=record.source_ip,
            time=record.event_time,
        )
        if event is not None:
            send(event, depth)


def _writes_of(changes: list[S3Change], writes: tuple[ObjectWrite, ...]) -> list[ObjectWrite | None]:
    """The write behind each change: by (bucket, key) in order (DeleteObjects makes one per key); a
    request with one change and one write pairs them whatever the key's spelling."""
    if len(changes) == 1 and len(writes) == 1:
        return [writes[0]]
    left = list(writes)
    found: list[ObjectWrite | None] = []
    for change in changes:
        match = next((w for w in left if (w.bucket, w.key) == (change.bucket, change.key)), None)
        if match is not None:
            left.remove(match)
        found.append(match)
    return found


def _matching_targets(config: Any, event_name: str, key: str) -> list[tuple[str, str, str]]:
    """(kind, target ARN, configuration id) of every configuration of `config` that matches."""
    found = []
    for kind, notifications in (
        ("lambda", config.cloud_function),
        ("queue", config.queue),
        ("topic", config.topic),
    ):
        for notification in notifications:
            if event_matches(notification.events, event_name) and key_matches(notification.filters, key):
                found.append((kind, notification.arn, notification.id))
    return found


def event_matches(configured: Iterable[str] | str, event_name: str) -> bool:
    """`s3:ObjectCreated:Put` matches itself and `s3:ObjectCreated:*`."""
    names = [configured] if isinstance(configured, str) else list(configured)
    group = ":".join(event_name.split(":")[:2]) + ":*"
    return event_name in names or group in names


def key_matches(filters: Mapping[str, Any] | None, key: str) -> bool:
    """Prefix / suffix filter rules on the decoded key; rule names are case-insensitive, as S3's."""
    rules = ((filters or {}).get("S3Key") or {}).get("FilterRule") or []
    if isinstance(rules, Mapping):
        rules = [rules]
    for rule in rules:
        name, value = str(rule.get("Name", "")).lower(), str(rule.get("Value", ""))
        if name == "prefix" and not key.startswith(value):
            return False
        if name == "suffix" and not key.endswith(value):
            return False
    return True
