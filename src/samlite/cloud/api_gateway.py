"""The template's APIs on the local gateway, tied into the rest of the local cloud.

Starting the gateway is not all: outputs that name an execute-api URL must name the local one (in
`outputs.json` and in DescribeStacks), and the API keys must be readable through moto's API Gateway
as on AWS (`samlite.services.apigateway.api_keys`).
"""

from __future__ import annotations

from collections.abc import Callable

from samlite.apigw import LocalApiGateway
from samlite.model import AwsApi, FunctionSpec, InvocationResult
from samlite.provisioning.provision import ProvisionedStack
from samlite.services.apigateway.api_keys import KeyRecord, register_api_keys
from samlite.services.cloudformation.describe_stacks import StackApi, StackRecord
from samlite.template import Stack

API_RESOURCE_TYPES = frozenset({"AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"})

Invoke = Callable[[FunctionSpec, bytes], InvocationResult]


def has_api(stack: Stack) -> bool:
    return any(resource.type in API_RESOURCE_TYPES for resource in stack.resources.values())


def start_gateway(
    stack: Stack,
    invoke: Invoke,
    *,
    host: str,
    port: int,
    log: Callable[[str], None],
    aws: AwsApi | None = None,
    on_request: Callable[[str, str], None] | None = None,
) -> LocalApiGateway:
    """Serve the template's APIs; a template the gateway cannot serve (`GatewayConfigError`) or a taken
    port (`PortInUseError`) is a one-line error for the user. `aws` is what service integrations call
    and where Cognito issuers' keys are read."""
    gateway = LocalApiGateway(stack, invoke, host=host, port=port, log=log, aws=aws, on_request=on_request)
    gateway.start()
    for warning in gateway.warnings:
        log(f"warning: {warning}")
    return gateway


def localise_outputs(
    gateway: LocalApiGateway, stack: Stack, provisioned: ProvisionedStack, stacks: StackApi
) -> None:
    """Outputs naming an execute-api URL of the stack's APIs name the local one instead."""
    provisioned.outputs = {
        key: gateway.local_url(value) if isinstance(value, str) and ".execute-api." in value else value
        for key, value in provisioned.outputs.items()
    }
    details = [
        {**detail, "OutputValue": gateway.local_url(detail["OutputValue"])}
        if ".execute-api." in detail.get("OutputValue", "")
        else detail
        for detail in stack.output_details
    ]
    stacks.register(
        StackRecord(provisioned.stack_name, provisioned.stack_id, details, dict(stack.parameters))
    )


def publish_api_keys(aws: AwsApi, gateway: LocalApiGateway) -> None:
    """Make each local key readable as on AWS: `aws apigateway get-api-key --api-key <id> --include-value`."""
    register_api_keys(
        aws,
        (
            KeyRecord(key.key_id, name=key.logical_id, value=key.value, enabled=key.enabled)
            for key in gateway.key_ring.keys.values()
        ),
    )
