"""Counts what the endpoint and the API Gateway served, the way AWS would bill it.

An observer of the endpoint (`observe`, one call per served request) and of the gateway
(`api_request`). The work per request is a few dictionary updates; a DynamoDB call's bodies are kept
as they are and parsed only when the cost page asks (or every `FOLD_AT` calls), so the meter adds
nothing measurable to a request's latency. The console's own calls (its User-Agent says so) and the
console's and samlite's own paths are not counted: they are not the application's work.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from samlite.console.aws_clients import is_console_agent
from samlite.console.cost.request_classes import (
    chunks,
    dynamodb_units,
    is_billed_dynamodb,
    json_or_empty,
    s3_request,
)
from samlite.model import ServedRequest

FOLD_AT = 512
_SAMLITE_PATHS = "/_samlite/"


@dataclass(frozen=True)
class MeterReading:
    """Counts by (service, scope, class): S3 requests by bucket and tier, DynamoDB request units and
    requests by table, SQS requests (standard or fifo), SNS requests, API Gateway requests by API."""

    counts: dict[tuple[str, str, str], float]

    def get(self, service: str, scope: str, klass: str) -> float:
        return self.counts.get((service, scope, klass), 0.0)

    def scopes(self, service: str) -> list[str]:
        return sorted({scope for (svc, scope, _klass) in self.counts if svc == service})


class RequestMeter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._pending: list[tuple[str, bytes, bytes, int]] = []

    def observe(self, request: ServedRequest) -> None:
        """One request the endpoint served (an endpoint request observer)."""
        if request.path.startswith(_SAMLITE_PATHS):
            return
        headers = request.headers
        if is_console_agent(headers.get("User-Agent", "")):
            return
        service = request.service
        if service == "s3":
            bucket, klass = s3_request(request.method, request.host, request.path, request.query)
            with self._lock:
                self._counts["s3", bucket, klass] += 1
        elif service == "dynamodb":
            operation = headers.get("X-Amz-Target", "").rpartition(".")[2]
            if is_billed_dynamodb(operation):
                with self._lock:
                    self._pending.append((operation, request.body, request.response_body, request.status))
                    fold = len(self._pending) >= FOLD_AT
                if fold:
                    self._fold()
        elif service == "sqs":
            queue = _sqs_queue(headers, request.body)
            with self._lock:
                self._counts["sqs", "fifo" if queue.endswith(".fifo") else "standard", "requests"] += chunks(
                    len(request.body)
                )
        elif service == "sns":
            with self._lock:
                self._counts["sns", "", "requests"] += chunks(len(request.body))

    def api_request(self, api_id: str, kind: str) -> None:
        """One request an API of the local API Gateway answered (`kind`: "REST" or "HTTP")."""
        with self._lock:
            self._counts["apigateway", api_id, kind.lower()] += 1

    def reading(self) -> MeterReading:
        self._fold()
        with self._lock:
            return MeterReading(dict(self._counts))

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._pending.clear()

    def _fold(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        counted: Counter[tuple[str, str, str]] = Counter()
        for operation, body, answer, status in pending:
            response = json_or_empty(answer)
            failed_condition = status == 400 and "ConditionalCheckFailed" in str(response.get("__type", ""))
            if status >= 300 and not failed_condition:
                continue
            for units in dynamodb_units(
                operation, json_or_empty(body), response, failed_condition=failed_condition
            ):
                counted["dynamodb", units.table, units.kind] += units.units
                counted["dynamodb", units.table, f"{units.kind}_requests"] += 1
        with self._lock:
            self._counts.update(counted)


def _sqs_queue(headers: Any, body: bytes) -> str:
    """The queue URL an SQS call names (JSON or query protocol), or ""."""
    if headers.get("X-Amz-Target"):
        return str(json_or_empty(body).get("QueueUrl", ""))
    for name, value in parse_qsl(body.decode("utf-8", "replace")):
        if name == "QueueUrl":
            return value
    return ""
