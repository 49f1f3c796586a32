"""EventBridge PutEvents answered by samlite in front of moto: the same backend call, without the detour.

PutEvents is on the path of every event a local application emits, and moto's generic request dispatch
(Flask, response-class set-up, its own IAM check) costs about 2 ms of the call, several times what
the event's own work costs. This `LocalApi` serves that one action: the caller is authorised as moto
would (`events:PutEvents` on each event bus named; `iam.request_auth`), the entries go to moto's
events backend exactly as moto's handler hands them over (its validation, its EventIds; samlite's
routing then runs through `moto_changes.events_delivery`), and the answer is PutEvents' JSON:
`{"FailedEntryCount", "Entries"}`. Everything else of EventBridge stays moto's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from samlite.endpoint.aws_errors import JSON
from samlite.endpoint.local_apis import ApiResponse
from samlite.iam.request_auth import check_request
from samlite.model import AwsError

TARGET = "AWSEvents.PutEvents"


class PutEventsApi:
    """The `LocalApi` for `X-Amz-Target: AWSEvents.PutEvents` (see the module doc)."""

    protocol = JSON

    def __init__(self, backend: Callable[[], Any], *, region: str, account_id: str, iam: bool) -> None:
        self._backend = backend
        self._region = region
        self._account_id = account_id
        self._iam = iam

    def match(self, environ: Mapping[str, Any], body: bytes) -> bool | None:
        return True if environ.get("HTTP_X_AMZ_TARGET") == TARGET else None

    def handle(self, environ: Mapping[str, Any], body: bytes, _match: Any) -> ApiResponse | AwsError:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return AwsError(400, "SerializationException", "the request body is not JSON")
        entries = request.get("Entries") if isinstance(request, dict) else None
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            return AwsError(400, "ValidationException", "1 validation error detected: Entries must be a list")
        if self._iam:
            for bus in sorted({str(entry.get("EventBusName") or "default") for entry in entries}):
                denied = check_request(
                    self._account_id, environ, body, "events:PutEvents", self._bus_arn(bus)
                )
                if denied is not None:
                    code = "AccessDeniedException" if denied.code == "AccessDenied" else denied.code
                    return AwsError(denied.status, code, denied.message)
        try:
            answers = self._backend().put_events(entries)
        except Exception as error:  # moto's own refusals (too many entries, unknown bus)
            code = str(getattr(error, "error_type", None) or type(error).__name__)
            status = int(getattr(error, "code", 400) or 400)
            message = str(getattr(error, "message", None) or getattr(error, "description", None) or error)
            return AwsError(status, code, message)
        failed = sum(1 for answer in answers if "ErrorCode" in answer)
        document = json.dumps({"FailedEntryCount": failed, "Entries": answers}).encode("utf-8")
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", str(uuid.uuid4()))]
        return ApiResponse(200, headers, document)

    def _bus_arn(self, bus: str) -> str:
        if bus.startswith("arn:"):
            return bus
        return f"arn:aws:events:{self._region}:{self._account_id}:event-bus/{bus}"
