"""HTTP API first-class integrations: one AWS action, its parameters mapped from the request.

HTTP API developer guide, "Integration subtype reference": each subtype is one action with its
required and optional parameters (SQS-SendMessage: QueueUrl, MessageBody, DelaySeconds, ...;
EventBridge-PutEvents: Detail, DetailType, Source, ...; StepFunctions-StartExecution:
StateMachineArn, Name, Input). Parameters are mapped per request (`parameters.http_value`), typed
as the action's input shape wants them, serialized with botocore and sent, signed with the
integration's role, to the embedded AWS. The service's answer is the client's: its status, its
JSON (SQS's in the query API's JSON shape, `{"SendMessageResponse": {"SendMessageResult": ...}}`).
A required parameter that maps to nothing is a 400 `Bad Request`, logged with its name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from samlite.apigw import responses
from samlite.apigw.integrations.aws_call import AwsCaller, ServiceCallFailed, ServiceRequest
from samlite.apigw.integrations.config import ServiceIntegration
from samlite.apigw.integrations.parameters import UnresolvedParameter, http_value
from samlite.apigw.integrations.service_models import service_info, service_model
from samlite.apigw.integrations.subtypes import ENTRY_ACTIONS, SUBTYPES, Subtype
from samlite.apigw.messages import HttpResponse
from samlite.apigw.request_view import RequestView


class HttpServiceIntegrations:
    def __init__(self, caller: AwsCaller | None, log: Callable[[str], None]) -> None:
        self.caller = caller
        self.log = log

    def run(self, integration: ServiceIntegration, view: RequestView, where: str) -> HttpResponse:
        subtype = SUBTYPES[integration.subtype]
        if self.caller is None:
            self.log(f"{where}: {integration.subtype} needs the embedded AWS (samlite start)")
            return responses.http_internal_error()
        try:
            values = self._values(integration, subtype, view)
        except UnresolvedParameter as exc:
            self.log(f"{where}: {integration.subtype}: {exc}")
            return responses.gateway_error(400, '{"message":"Bad Request"}')
        missing = [name for name in subtype.required if values.get(name) in (None, "")]
        if missing:
            self.log(
                f"{where}: {integration.subtype}: required parameter {', '.join(missing)} mapped to no value"
            )
            return responses.gateway_error(400, '{"message":"Bad Request"}')
        try:
            request = _serialize(subtype, values)
        except ValueError as exc:
            self.log(f"{where}: {integration.subtype}: {exc}")
            return responses.gateway_error(400, '{"message":"Bad Request"}')
        try:
            reply = self.caller.call(request, integration.credentials, "apigateway")
        except ServiceCallFailed as exc:
            self.log(f"{where}: {integration.subtype}: {exc}")
            return responses.http_internal_error()
        body = reply.body
        if subtype.query_shaped and reply.status < 400:
            body = _query_shaped(subtype, body, reply.header("x-amzn-RequestId") or "")
        if reply.status >= 400:
            self.log(f"{where}: {integration.subtype} answered {reply.status}: {body[:300]!r}")
        return HttpResponse(reply.status, [("Content-Type", "application/json")], body)

    @staticmethod
    def _values(
        integration: ServiceIntegration, subtype: Subtype, view: RequestView
    ) -> dict[str, str | None]:
        return {
            name: http_value(expression, view)
            for name, expression in integration.parameters.items()
            if name != "Region"
        }


def _serialize(subtype: Subtype, values: dict[str, str | None]) -> ServiceRequest:
    from botocore.serialize import create_serializer

    model = service_model(subtype.arn_service)
    operation = model.operation_model(subtype.action)
    shape = operation.input_shape
    if subtype.action in ENTRY_ACTIONS:
        entry_shape = shape.members["Entries"].member
        params: dict[str, Any] = {"Entries": [_typed(entry_shape, values)]}
    else:
        params = _typed(shape, values)
    protocol = model.metadata.get("protocol")
    request = create_serializer(protocol).serialize_to_request(params, operation)
    info = service_info(subtype.arn_service)
    path = request["url_path"]
    query = request.get("query_string") or ""
    pairs = tuple(query.items()) if isinstance(query, dict) else ()
    body = request["body"]
    if isinstance(body, str):
        body = body.encode("utf-8")
    return ServiceRequest(
        signing_name=info.signing_name,
        method=request["method"],
        path=path,
        query=pairs,
        headers=dict(request["headers"]),
        body=body or b"",
    )


def _typed(shape: Any, values: dict[str, str | None]) -> dict[str, Any]:
    """Mapped strings as the input shape's members want them (case-insensitive names: HTTP APIs
    write `StateMachineArn` where Step Functions' API says `stateMachineArn`)."""
    members = {name.lower(): (name, member) for name, member in shape.members.items()}
    params: dict[str, Any] = {}
    for given, value in values.items():
        if value is None or value == "":
            continue
        name, member = members.get(given.lower(), (None, None))
        if name is None:
            raise ValueError(f"{shape.name} has no member {given}")
        params[name] = _convert(member, value, given)
    return params


def _whole(value: str, given: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{given} must be a whole number, not {value!r}") from None


def _json(value: str, given: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise ValueError(f"{given} must be JSON, not {value[:80]!r}") from None


def _list(value: str, given: str) -> Any:
    text = value.strip()
    if text.startswith("["):
        return _json(text, given)
    return [part.strip() for part in text.split(",") if part.strip()]


_CONVERTERS: dict[str, Callable[[str, str], Any]] = {
    "integer": _whole,
    "long": _whole,
    "float": lambda value, given: float(value),
    "double": lambda value, given: float(value),
    "boolean": lambda value, given: value.lower() == "true",
    "blob": lambda value, given: value.encode("utf-8"),
    "structure": _json,
    "map": _json,
    "list": _list,
}


def _convert(member: Any, value: str, given: str) -> Any:
    """A mapped string as the member's type (numbers, booleans, JSON objects, lists, bytes)."""
    converter = _CONVERTERS.get(member.type_name)
    return converter(value, given) if converter is not None else value


def _query_shaped(subtype: Subtype, body: bytes, request_id: str) -> bytes:
    """The JSON an SQS action answers as `{"{Action}Response": {"{Action}Result": {...all members},
    "ResponseMetadata": {"RequestId": ...}}}` (see query_json)."""
    try:
        result = json.loads(body) if body.strip() else {}
    except ValueError:
        return body
    shape = service_model(subtype.arn_service).operation_model(subtype.action).output_shape
    members = list(shape.members) if shape is not None else []
    completed = {name: result.get(name) for name in members}
    completed.update({k: v for k, v in result.items() if k not in completed})
    document = {
        f"{subtype.action}Response": {
            f"{subtype.action}Result": completed if members or result else None,
            "ResponseMetadata": {"RequestId": request_id},
        }
    }
    return json.dumps(document, separators=(",", ":")).encode("utf-8")
