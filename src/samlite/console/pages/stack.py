"""Stack page: every resource (logical id, type, local physical name, emulated or why not), the
outputs, the APIs, and the credentials with the `export` lines to copy into a shell."""

from __future__ import annotations

import shlex
from typing import Any

from samlite.console.context import ConsoleContext
from samlite.console.http import ConsoleRequest, json_response
from samlite.console.router import Router
from samlite.endpoint.local_apis import ApiResponse
from samlite.provisioning.provision import HANDLED_ELSEWHERE
from samlite.provisioning.resources.kinds import ProvisionedStack

EMULATED = "emulated"
ACCEPTED = "accepted"
NOT_EMULATED = "not emulated"

_ELSEWHERE_NOTES = {
    "AWS::ApiGateway::": "served by the local API Gateway",
    "AWS::ApiGatewayV2::": "served by the local API Gateway",
    "AWS::Lambda::EventInvokeConfig": "applied to the function's asynchronous invocations",
    "AWS::Lambda::Version": "the function's code as it is on disk",
    "AWS::Logs::LogGroup": "log lines go to the console and .samlite/logs/",
}


def _elsewhere_note(resource_type: str) -> str:
    for prefix, note in _ELSEWHERE_NOTES.items():
        if resource_type.startswith(prefix):
            return note
    return "handled by samlite itself"


def emulation(logical_id: str, resource_type: str, provisioned: ProvisionedStack) -> tuple[str, str]:
    """Whether samlite emulates a resource, and the note that says how or why not."""
    for item in provisioned.unsupported:
        if item.logical_id == logical_id:
            return NOT_EMULATED, item.reason
    for item in provisioned.not_enforced:
        if item.logical_id == logical_id:
            return ACCEPTED, item.reason
    if logical_id in provisioned.physical_ids:
        return EMULATED, ""
    if resource_type in HANDLED_ELSEWHERE:
        return EMULATED, _elsewhere_note(resource_type)
    return NOT_EMULATED, "not emulated by samlite"


def stack_view(context: ConsoleContext) -> dict[str, Any]:
    sources = context.sources
    stack, provisioned, aws = sources.stack, sources.provisioned, sources.aws
    resources = []
    for resource in sorted(stack.resources.values(), key=lambda r: r.logical_id):
        status, note = emulation(resource.logical_id, resource.type, provisioned)
        resources.append(
            {
                "logicalId": resource.logical_id,
                "type": resource.type,
                "physicalId": provisioned.physical_ids.get(resource.logical_id, resource.ref),
                "status": status,
                "note": note,
            }
        )
    descriptions = {d["OutputKey"]: d.get("Description", "") for d in getattr(stack, "output_details", ())}
    outputs = [
        {"key": key, "value": value, "description": descriptions.get(key, "")}
        for key, value in provisioned.outputs.items()
    ]
    env = aws.env()
    return {
        "stackName": stack.stack_name,
        "stackId": provisioned.stack_id,
        "region": aws.region,
        "accountId": aws.account_id,
        "endpoint": aws.url,
        "iam": aws.iam_enabled,
        "startedAt": context.started_at,
        "resources": resources,
        "outputs": outputs,
        "apis": [
            {"logicalId": logical_id, "url": url} for logical_id, url in sorted(sources.api_urls().items())
        ],
        "apiKeys": [
            {"logicalId": logical_id, "value": value}
            for logical_id, value in sorted(sources.api_keys().items())
        ],
        "environment": env,
        "exportLines": [f"export {name}={shlex.quote(value)}" for name, value in env.items()],
    }


def register(router: Router, context: ConsoleContext) -> None:
    def stack(_request: ConsoleRequest) -> ApiResponse:
        return json_response(stack_view(context))

    router.add("GET", "/api/stack", stack)
