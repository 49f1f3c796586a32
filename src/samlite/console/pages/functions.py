"""Functions page: each function's configuration (its role's policies, its layers), warm workers,
recent invocations with their events, answers and log lines, invoke now, and a live log tail."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from samlite.console.context import ConsoleContext
from samlite.console.http import ConsoleRequest, bad_request, json_response, not_found
from samlite.console.invocations import detail, summary
from samlite.console.router import Router
from samlite.console.sample_events import sample_events
from samlite.endpoint.local_apis import ApiResponse
from samlite.model import FunctionSpec, LayerSpec

RECENT = 100  # invocations a page shows at most
LOG_PAGE = 2000  # log lines per answer
_PINNED = re.compile(r"==\s*([\w.]+)")


def _spec(context: ConsoleContext, function_id: str) -> FunctionSpec:
    functions = context.sources.stack.functions
    if function_id in functions:
        return functions[function_id]
    for spec in functions.values():
        if spec.function_name == function_id:
            return spec
    raise not_found(f"the stack has no function {function_id!r}")


def _counts(context: ConsoleContext, logical_id: str) -> tuple[int, int]:
    return context.sources.recorder.counts().get(logical_id, (0, 0))


def function_list(context: ConsoleContext) -> list[dict[str, Any]]:
    sources = context.sources
    counts = sources.recorder.counts()
    rows = []
    for logical_id, spec in sorted(sources.stack.functions.items()):
        invocations, _lines = counts.get(logical_id, (0, 0))
        last = sources.recorder.invocations_since(logical_id, invocations - 1) if invocations else []
        rows.append(
            {
                "logicalId": logical_id,
                "functionName": spec.function_name,
                "runtime": spec.runtime,
                "memorySize": spec.memory_size,
                "architecture": spec.architectures[0] if spec.architectures else "x86_64",
                "triggers": sorted({str(event.get("Type", "")) for event in spec.events.values()}),
                "invocations": invocations,
                "warmWorkers": sources.worker_count(logical_id),
                "last": summary(last[0], invocations - 1) if last else None,
            }
        )
    return rows


def layer_view(layer: LayerSpec) -> dict[str, Any]:
    """One of a function's layers: where its /opt content comes from on this machine."""
    version = next((found[1] for line in layer.packages if (found := _PINNED.search(line))), None)
    return {
        "arn": layer.arn,
        "name": layer.name,
        "origin": layer.origin,
        "folder": str(layer.content) if layer.content is not None else None,
        "optPath": f"/opt/{layer.content_prefix}" if layer.content_prefix else "/opt",
        "requirements": str(layer.requirements) if layer.requirements is not None else None,
        "packages": list(layer.packages),
        "powertoolsVersion": version if layer.origin == "powertools" else None,
        "compatibleRuntimes": list(layer.compatible_runtimes),
    }


def configuration(context: ConsoleContext, spec: FunctionSpec) -> dict[str, Any]:
    sources = context.sources
    config = spec.event_invoke_config
    return {
        "logicalId": spec.logical_id,
        "functionName": spec.function_name,
        "functionArn": sources.provisioned.function_arns.get(spec.logical_id, ""),
        "runtime": spec.runtime,
        "handler": spec.handler,
        "codeUri": str(spec.code_uri),
        "memorySize": spec.memory_size,
        "timeout": spec.timeout,
        "architectures": list(spec.architectures),
        "environment": dict(spec.environment),
        "logFormat": spec.log_format,
        "reservedConcurrency": spec.reserved_concurrency,
        "role": spec.role_arn,
        "policies": list(spec.policy_documents),
        "deadLetterTarget": spec.dead_letter_target_arn,
        "asyncConfig": {
            "maximumRetryAttempts": config.maximum_retry_attempts,
            "maximumEventAgeInSeconds": config.maximum_event_age_seconds,
            "onSuccess": config.on_success_arn,
            "onFailure": config.on_failure_arn,
        },
        "events": {name: dict(event) for name, event in spec.events.items()},
        "layers": [layer_view(layer) for layer in spec.layers],
        "warmWorkers": sources.worker_count(spec.logical_id),
        "samples": sample_events(spec, sources.aws.region),
    }


def register(router: Router, context: ConsoleContext) -> None:
    recorder = context.sources.recorder

    def listing(_request: ConsoleRequest) -> ApiResponse:
        return json_response({"functions": function_list(context)})

    def one(request: ConsoleRequest) -> ApiResponse:
        return json_response(configuration(context, _spec(context, request.params["id"])))

    def invocations(request: ConsoleRequest) -> ApiResponse:
        spec = _spec(context, request.params["id"])
        total, _lines = _counts(context, spec.logical_id)
        after = request.int_arg("after", -1, low=-1)
        start = max(after + 1, total - request.int_arg("limit", RECENT, low=1, high=1000))
        records = recorder.invocations_since(spec.logical_id, start)
        rows = [summary(record, start + offset) for offset, record in enumerate(records)]
        return json_response({"total": start + len(records), "invocations": rows[::-1]})

    def invocation(request: ConsoleRequest) -> ApiResponse:
        spec = _spec(context, request.params["id"])
        wanted = request.params["request_id"]
        records = recorder.invocations_since(spec.logical_id, 0)
        for index in range(len(records) - 1, -1, -1):
            if records[index].request_id == wanted:
                return json_response(detail(records[index], index))
        raise not_found(f"{spec.logical_id} has no recorded invocation {wanted!r}")

    def logs(request: ConsoleRequest) -> ApiResponse:
        spec = _spec(context, request.params["id"])
        after = request.int_arg("after", 0)
        lines = recorder.lines_since(spec.logical_id, after)
        if after == 0 and len(lines) > LOG_PAGE:  # a first look starts at the tail
            after = len(lines) - LOG_PAGE
            lines = lines[-LOG_PAGE:]
        lines = lines[:LOG_PAGE]
        return json_response({"from": after, "next": after + len(lines), "lines": lines})

    def invoke(request: ConsoleRequest) -> ApiResponse:
        spec = _spec(context, request.params["id"])
        body = request.json()
        if "event" not in body:
            raise bad_request("the request body needs an 'event' (any JSON value)")
        payload = json.dumps(body["event"]).encode("utf-8")
        answer = context.clients.call(
            "lambda", "invoke", FunctionName=spec.function_name, Payload=payload, LogType="Tail"
        )
        raw = answer["Payload"].read()
        try:
            response: Any = json.loads(raw)
        except ValueError:
            response = raw.decode("utf-8", "replace")
        log_tail = base64.b64decode(answer.get("LogResult") or b"").decode("utf-8", "replace")
        return json_response(
            {
                "requestId": answer.get("ResponseMetadata", {})
                .get("HTTPHeaders", {})
                .get("x-amzn-requestid"),
                "statusCode": answer.get("StatusCode"),
                "functionError": answer.get("FunctionError"),
                "response": response,
                "logTail": log_tail,
            }
        )

    router.add("GET", "/api/functions", listing)
    router.add("GET", "/api/functions/{id}", one)
    router.add("GET", "/api/functions/{id}/invocations", invocations)
    router.add("GET", "/api/functions/{id}/invocations/{request_id}", invocation)
    router.add("GET", "/api/functions/{id}/logs", logs)
    router.add("POST", "/api/functions/{id}/invoke", invoke)
