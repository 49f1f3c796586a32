"""The HTTP API integration subtypes: which AWS action each is, and the parameters it takes.

HTTP API developer guide, "Integration subtype reference" (required and optional parameters of each
subtype; `Region` is accepted by all and means the one region here). Checked when the template is
read, so a missing required parameter or a misspelt one names the route before anything starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from samlite.apigw.integrations.config import ServiceIntegration
from samlite.errors import GatewayConfigError


@dataclass(frozen=True)
class Subtype:
    arn_service: str  # the service as apigateway ARNs name it
    action: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    query_shaped: bool = False  # answer in the query API's JSON shape (SQS)


SUBTYPES: dict[str, Subtype] = {
    "EventBridge-PutEvents": Subtype(
        "events",
        "PutEvents",
        ("Detail", "DetailType", "Source"),
        ("Time", "EventBusName", "Resources", "TraceHeader"),
    ),
    "SQS-SendMessage": Subtype(
        "sqs",
        "SendMessage",
        ("QueueUrl", "MessageBody"),
        (
            "DelaySeconds",
            "MessageAttributes",
            "MessageDeduplicationId",
            "MessageGroupId",
            "MessageSystemAttributes",
        ),
        query_shaped=True,
    ),
    "SQS-ReceiveMessage": Subtype(
        "sqs",
        "ReceiveMessage",
        ("QueueUrl",),
        (
            "AttributeNames",
            "MaxNumberOfMessages",
            "MessageAttributeNames",
            "ReceiveRequestAttemptId",
            "VisibilityTimeout",
            "WaitTimeSeconds",
        ),
        query_shaped=True,
    ),
    "SQS-DeleteMessage": Subtype(
        "sqs", "DeleteMessage", ("ReceiptHandle", "QueueUrl"), (), query_shaped=True
    ),
    "SQS-PurgeQueue": Subtype("sqs", "PurgeQueue", ("QueueUrl",), (), query_shaped=True),
    "AppConfig-GetConfiguration": Subtype(
        "appconfig",
        "GetConfiguration",
        ("Application", "Environment", "Configuration", "ClientId"),
        ("ClientConfigurationVersion",),
    ),
    "Kinesis-PutRecord": Subtype(
        "kinesis",
        "PutRecord",
        ("StreamName", "Data", "PartitionKey"),
        ("SequenceNumberForOrdering", "ExplicitHashKey"),
    ),
    "StepFunctions-StartExecution": Subtype(
        "states", "StartExecution", ("StateMachineArn",), ("Name", "Input")
    ),
    "StepFunctions-StartSyncExecution": Subtype(
        "states", "StartSyncExecution", ("StateMachineArn",), ("Name", "Input", "TraceHeader")
    ),
    "StepFunctions-StopExecution": Subtype("states", "StopExecution", ("ExecutionArn",), ("Cause", "Error")),
}
ENTRY_ACTIONS = {"PutEvents"}  # their parameters describe one entry of a list


def check_subtype(where: str, integration: ServiceIntegration) -> None:
    """At load: the subtype exists, its required parameters are mapped, and nothing unknown is."""
    subtype = SUBTYPES.get(integration.subtype)
    if subtype is None:
        raise GatewayConfigError(
            f"{where}: integrationSubtype '{integration.subtype}' is not one HTTP APIs support "
            f"({', '.join(sorted(SUBTYPES))})"
        )
    missing = [name for name in subtype.required if name not in integration.parameters]
    if missing:
        raise GatewayConfigError(
            f"{where}: {integration.subtype} needs requestParameters {', '.join(missing)}"
        )
    known = {*subtype.required, *subtype.optional, "Region"}
    unknown = sorted(set(integration.parameters) - known)
    if unknown:
        raise GatewayConfigError(
            f"{where}: {integration.subtype} has no parameter {', '.join(unknown)} "
            f"(it takes {', '.join(sorted(known))})"
        )
