"""What samlite adds to the embedded AWS's services, plugged into one endpoint in one call.

`attach(aws)` registers the APIs samlite answers itself (the Lambda Invoke API, the Lambda calls tools
make about the template's functions and its event-source mappings, CloudFormation DescribeStacks) and
the S3 checks (presigned POST policies) and the clients of state machine tasks (Step Functions), and
returns them as `LocalServices`:
provisioning registers the template's functions and stack there, and the local cloud attaches the
runtime (`lambda_api.handler`) and event delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.services.awslambda.event_sources.mapping_api import EventSourceMappingApi
from samlite.services.awslambda.event_sources.registry import MappingRegistry
from samlite.services.awslambda.functions_api import LambdaFunctionsApi
from samlite.services.awslambda.invoke_api import LambdaInvokeApi
from samlite.services.awslambda.registry import FunctionRegistry
from samlite.services.awslambda.role_credentials import RoleCredentialsApi
from samlite.services.cloudformation.describe_stacks import StackApi
from samlite.services.cognito.jwks import UserPoolKeys
from samlite.services.s3 import key_encoding, post_policy
from samlite.services.stepfunctions.service import StepFunctionsService


@dataclass(frozen=True)
class LocalServices:
    """The per-service state samlite keeps beside moto's for one embedded AWS."""

    functions: FunctionRegistry
    lambda_api: LambdaInvokeApi
    stacks: StackApi
    lambda_functions_api: LambdaFunctionsApi | None = None
    states: StepFunctionsService | None = None
    role_credentials: RoleCredentialsApi | None = None
    event_source_mappings: MappingRegistry = field(default_factory=MappingRegistry)


def attach(aws: EmbeddedAws) -> LocalServices:
    """Plug samlite's service additions into `aws` (before or after it starts)."""
    functions = FunctionRegistry(region=aws.region, account_id=aws.account_id)
    lambda_api = LambdaInvokeApi(functions, aws.account_id if aws.iam_enabled else None)
    stacks = StackApi(aws.account_id, iam_enabled=aws.iam_enabled)
    iam_account = aws.account_id if aws.iam_enabled else None

    def functions_of_moto(all_versions: bool) -> list[dict[str, Any]]:  # created through the API
        backend = aws.backend("lambda")
        return [fn.get_configuration() for fn in backend.list_functions("ALL" if all_versions else None)]

    lambda_functions_api = LambdaFunctionsApi(functions, iam_account, functions_of_moto)
    mappings = MappingRegistry()
    aws.add_local_api(lambda_api)
    aws.add_local_api(lambda_functions_api)
    aws.add_local_api(EventSourceMappingApi(mappings, functions, iam_account))
    aws.add_local_api(stacks)
    aws.add_s3_check(post_policy.check_request)
    aws.add_local_api(UserPoolKeys(aws))
    aws.add_s3_check(key_encoding.check_request)
    states = StepFunctionsService(aws)  # moto's state machine tasks call this endpoint as their role
    role_credentials = RoleCredentialsApi(functions, iam_account)
    aws.add_local_api(role_credentials)
    return LocalServices(
        functions,
        lambda_api,
        stacks,
        lambda_functions_api,
        states=states,
        role_credentials=role_credentials,
        event_source_mappings=mappings,
    )
