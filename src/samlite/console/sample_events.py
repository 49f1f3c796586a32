"""The event an "invoke now" starts from: what the function's own trigger would send, built by the
same `samlite.events` builders `samlite generate-event` prints and the local cloud delivers.

One sample per event of the function (an S3 event names the bucket and a key its filter accepts; an
Api or HttpApi event the method and path, `{param}` parts filled in), then the empty event. A trigger
type without a builder gets no sample of its own: its entry says so instead of inventing a shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from samlite.events import apigateway_http_event, apigateway_rest_event, s3_event
from samlite.model import FunctionSpec

Sample = dict[str, Any]  # {"label": str, "event": object | None, "note"?: str}
_PATH_PARAMETER = re.compile(r"\{([^}+]+)\+?\}")


def _s3(name: str, props: Mapping[str, Any], region: str) -> Sample:
    bucket = str(props.get("Bucket") or "my-bucket")
    names = props.get("Events") or ["s3:ObjectCreated:*"]
    first = str(names[0] if isinstance(names, list) and names else names)
    kind = "delete" if "ObjectRemoved" in first else "put"
    prefix, suffix = "", ".png"
    rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
    for rule in rules if isinstance(rules, list) else []:
        if str(rule.get("Name", "")).lower() == "prefix":
            prefix = str(rule.get("Value", ""))
        if str(rule.get("Name", "")).lower() == "suffix":
            suffix = str(rule.get("Value", ""))
    key = f"{prefix}example{suffix}"
    size = None if kind == "delete" else 1024
    event = s3_event(kind, bucket=bucket, key=key, size=size, region=region)
    return {"label": f"{name}: S3 {event['Records'][0]['eventName']} in {bucket}", "event": event}


def _path(template: str) -> str:
    return _PATH_PARAMETER.sub(lambda found: "example", template)


def _api(name: str, props: Mapping[str, Any], region: str) -> Sample:
    method = str(props.get("Method") or "GET").upper()
    method = "GET" if method == "ANY" else method
    template = str(props.get("Path") or "/")
    event = apigateway_rest_event(method, _path(template), resource=template, region=region)
    return {"label": f"{name}: API Gateway (REST) {method} {template}", "event": event}


def _http_api(name: str, props: Mapping[str, Any], region: str) -> Sample:
    method = str(props.get("Method") or "GET").upper()
    template = str(props.get("Path") or "/")
    route_key = "$default" if template in ("", "$default") else f"{method} {template}"
    method = "GET" if method in ("ANY", "$DEFAULT") else method
    event = apigateway_http_event(method, _path(template) or "/", route_key=route_key, region=region)
    return {"label": f"{name}: API Gateway (HTTP API) {route_key}", "event": event}


BUILDERS: dict[str, Callable[[str, Mapping[str, Any], str], Sample]] = {
    "S3": _s3,
    "Api": _api,
    "HttpApi": _http_api,
}


def sample_events(spec: FunctionSpec, region: str) -> list[Sample]:
    samples: list[Sample] = []
    for name, event in spec.events.items():
        kind = str(event.get("Type", ""))
        props = event.get("Properties") or {}
        builder = BUILDERS.get(kind)
        if builder is None:
            samples.append(
                {"label": f"{name}: {kind}", "event": None, "note": f"no sample {kind} event: write one"}
            )
            continue
        samples.append(builder(name, props, region))
    samples.append({"label": "empty event", "event": {}})
    return samples
