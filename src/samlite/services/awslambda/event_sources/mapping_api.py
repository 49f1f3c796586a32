"""ListEventSourceMappings and GetEventSourceMapping on the embedded endpoint, from samlite's mappings.

moto's Lambda knows none of the template's functions nor their mappings, so `aws lambda
list-event-source-mappings` would answer an empty list while samlite polls. These two calls are
answered from the registry instead, in the shape of the Lambda API Reference's
`EventSourceMappingConfiguration` ("ListEventSourceMappings", "GetEventSourceMapping"): `UUID`,
`EventSourceMappingArn`, `EventSourceArn`, `FunctionArn`, `State` (Enabled or Disabled),
`StateTransitionReason`, `LastModified`, `LastProcessingResult` ("No records processed", "OK",
"PROBLEM: Function call failed"), and the settings that apply to the source. An unknown UUID is a 404
`ResourceNotFoundException`. With IAM on, the caller needs `lambda:ListEventSourceMappings` /
`lambda:GetEventSourceMapping`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote

from samlite.endpoint.aws_errors import REST_JSON
from samlite.endpoint.local_apis import ApiResponse
from samlite.iam.request_auth import check_request
from samlite.model import AwsError
from samlite.services.awslambda.event_sources.config import SQS, MappingConfig, function_qualifier
from samlite.services.awslambda.event_sources.registry import MappingRegistry
from samlite.services.awslambda.registry import ARN_PATTERN, FunctionRegistry

_LIST = re.compile(r"^/2015-03-31/event-source-mappings/?$")
_ONE = re.compile(r"^/2015-03-31/event-source-mappings/(?P<uuid>[^/]+)/?$")
DEFAULT_MAX_ITEMS = 100


class EventSourceMappingApi:
    """A `LocalApi` for the two read calls (see module doc)."""

    protocol = REST_JSON

    def __init__(
        self, mappings: MappingRegistry, functions: FunctionRegistry, iam_account_id: str | None
    ) -> None:
        self._mappings = mappings
        self._functions = functions
        self._iam_account_id = iam_account_id
        self._created = time.time()

    def match(self, environ: Mapping[str, Any], body: bytes) -> tuple[str, str] | None:
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        path = str(environ.get("PATH_INFO", ""))
        if _LIST.match(path):
            return ("list", "")
        found = _ONE.match(path)
        return ("get", unquote(found["uuid"])) if found else None

    def handle(
        self, environ: Mapping[str, Any], body: bytes, match: tuple[str, str]
    ) -> ApiResponse | AwsError:
        call, mapping_uuid = match
        if call == "list":
            return self._denied(environ, body, "lambda:ListEventSourceMappings", "*") or self._list(environ)
        config = self._mappings.get(mapping_uuid)
        if config is None:
            return AwsError(
                404,
                "ResourceNotFoundException",
                f"The resource you requested does not exist. (UUID {mapping_uuid})",
            )
        return self._denied(environ, body, "lambda:GetEventSourceMapping", config.arn) or _json(
            self.describe(config)
        )

    def _denied(self, environ: Mapping[str, Any], body: bytes, action: str, resource: str) -> AwsError | None:
        if self._iam_account_id is None:
            return None
        denied = check_request(self._iam_account_id, environ, body, action, resource)
        if denied is not None and denied.code == "AccessDenied":
            return AwsError(denied.status, "AccessDeniedException", denied.message)
        return denied

    def _list(self, environ: Mapping[str, Any]) -> ApiResponse | AwsError:
        query = {k: v[0] for k, v in parse_qs(str(environ.get("QUERY_STRING", ""))).items()}
        mappings = sorted(self._mappings, key=lambda c: c.uuid)
        if "EventSourceArn" in query:
            mappings = [c for c in mappings if c.event_source_arn == query["EventSourceArn"]]
        if "FunctionName" in query:
            found = ARN_PATTERN.match(query["FunctionName"])
            name = found["name"] if found else None
            mappings = [c for c in mappings if c.function.function_name == name]
        try:
            limit = int(query.get("MaxItems", DEFAULT_MAX_ITEMS))
        except ValueError:
            return AwsError(400, "InvalidParameterValueException", "MaxItems must be a number")
        start = (
            next((i for i, c in enumerate(mappings) if c.uuid == query["Marker"]), 0)
            if "Marker" in query
            else 0
        )
        page = mappings[start : start + max(1, min(limit, 10_000))]
        answer: dict[str, Any] = {"EventSourceMappings": [self.describe(c) for c in page]}
        if start + len(page) < len(mappings):
            answer["NextMarker"] = mappings[start + len(page)].uuid
        return _json(answer)

    def describe(self, config: MappingConfig) -> dict[str, Any]:
        """The mapping as the Lambda API describes it."""
        described: dict[str, Any] = {
            "UUID": config.uuid,
            "BatchSize": config.batch_size,
            "MaximumBatchingWindowInSeconds": config.batching_window_s,
            "EventSourceArn": config.event_source_arn,
            "FunctionArn": self._functions.arn(config.function.function_name, function_qualifier(config)),
            "LastModified": self._created,
            "LastProcessingResult": self._mappings.last_result(config.uuid),
            "State": "Enabled" if config.enabled else "Disabled",
            "StateTransitionReason": "USER_INITIATED",
            "EventSourceMappingArn": config.arn,
        }
        if config.filter_patterns:
            described["FilterCriteria"] = {
                "Filters": [{"Pattern": json.dumps(p)} for p in config.filter_patterns]
            }
        if config.report_batch_item_failures:
            described["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
        if config.kind == SQS:
            if config.maximum_concurrency is not None:
                described["ScalingConfig"] = {"MaximumConcurrency": config.maximum_concurrency}
            return described
        described.update(
            {
                "ParallelizationFactor": config.parallelization_factor,
                "StartingPosition": config.starting_position,
                "DestinationConfig": {"OnFailure": {"Destination": config.on_failure_arn}}
                if config.on_failure_arn
                else {},
                "MaximumRecordAgeInSeconds": config.maximum_record_age_s,
                "BisectBatchOnFunctionError": config.bisect_batch_on_function_error,
                "MaximumRetryAttempts": config.maximum_retry_attempts,
            }
        )
        if config.starting_position_timestamp is not None:
            described["StartingPositionTimestamp"] = config.starting_position_timestamp
        if config.tumbling_window_s:
            described["TumblingWindowInSeconds"] = config.tumbling_window_s
        return described


def _json(body: Mapping[str, Any]) -> ApiResponse:
    data = json.dumps(body).encode()
    return ApiResponse(200, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))], data)
