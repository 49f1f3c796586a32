"""How the console describes recorded invocations: one summary row each, and the whole of one.

The trigger column says what delivered the event: the recorder's `trigger` (a subscription, rule,
schedule or mapping) when it has one, else what the event itself says (the S3 event name and key,
the API request's method and path, the Invoke API).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from samlite.console.sources import RecordLike

_SOURCES = {
    "lambda-api": "Invoke API",
    "lambda-api-event": "Invoke API (Event)",
    "destination": "destination",
}


def _s3_trigger(event: Any) -> str | None:
    try:
        record = event["Records"][0]
        name = record["eventName"]
        key = unquote_plus(record["s3"]["object"]["key"])
        more = len(event["Records"]) - 1
    except (KeyError, IndexError, TypeError):
        return None
    return f"S3 {name} {key}" + (f" (+{more} more)" if more else "")


def _api_trigger(event: Any) -> str | None:
    if not isinstance(event, dict):
        return None
    if "httpMethod" in event:
        return f"API {event.get('httpMethod')} {event.get('path')}"
    http = (event.get("requestContext") or {}).get("http") or {}
    if http:
        return f"API {http.get('method')} {event.get('rawPath')}"
    return None


def trigger_label(record: RecordLike) -> str:
    trigger = getattr(record, "trigger", None)
    source = record.source
    if trigger:
        return f"{source}: {trigger}"
    if source == "s3":
        return _s3_trigger(record.event) or "S3"
    if source == "apigateway":
        return _api_trigger(record.event) or "API Gateway"
    return _SOURCES.get(source, source)


def outcome(record: RecordLike) -> str:
    error_type = record.result.error_type
    if error_type is None:
        return "success"
    return "timeout" if error_type == "Sandbox.Timedout" else "error"


def summary(record: RecordLike, index: int) -> dict[str, Any]:
    result = record.result
    return {
        "index": index,
        "requestId": record.request_id,
        "startedAt": record.started_at,
        "finishedAt": record.finished_at,
        "source": record.source,
        "trigger": trigger_label(record),
        "cold": result.init_duration_ms is not None,
        "durationMs": result.duration_ms,
        "billedMs": result.billed_duration_ms,
        "initMs": result.init_duration_ms,
        "memorySize": record.memory_size,
        "architecture": record.architecture,
        "memoryUsedMb": result.max_memory_used_mb,
        "outcome": outcome(record),
        "errorType": result.error_type,
    }


def _payload(payload: bytes) -> Any:
    text = bytes(payload).decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def detail(record: RecordLike, index: int) -> dict[str, Any]:
    result = record.result
    payload = _payload(result.payload)
    view = summary(record, index)
    view["event"] = record.event
    view["logLines"] = list(result.log_lines)
    if result.error_type is None:
        view["response"] = payload
    else:
        view["error"] = payload if isinstance(payload, dict) else {"errorMessage": payload}
    return view
